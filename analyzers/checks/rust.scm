; Check patterns for Rust.

((macro_invocation macro: (identifier) @_macro (token_tree) @args) @rust.dbg
 (#eq? @_macro "dbg"))

; Debug output: println!/eprintln!/print!/eprint! as statements (dbg! has its own rule).
((expression_statement (macro_invocation macro: (identifier) @_macro) @call) @debug.print
 (#any-of? @_macro "println" "eprintln" "print" "eprint"))

[(line_comment) (block_comment)] @comment
