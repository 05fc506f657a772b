; Check patterns for Rust.

((macro_invocation macro: (identifier) @_macro (token_tree) @args) @rust.dbg
 (#eq? @_macro "dbg"))

[(line_comment) (block_comment)] @comment
