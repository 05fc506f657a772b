; inherits: typescript
; Tags for TSX: the TypeScript patterns; JSX adds no definitions or calls of its own.
