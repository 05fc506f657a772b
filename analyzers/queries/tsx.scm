; inherits: typescript
; TSX parses like TypeScript for definitions; JSX adds none.
