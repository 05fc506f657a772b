; Check patterns for Rust.

((macro_invocation macro: (identifier) @_macro (token_tree) @args) @rust.dbg
 (#eq? @_macro "dbg"))

; Debug output: println!/eprintln!/print!/eprint! as statements (dbg! has its own rule).
((expression_statement (macro_invocation macro: (identifier) @_macro) @call) @debug.print
 (#any-of? @_macro "println" "eprintln" "print" "eprint"))

; Results thrown away: `let _ = call();` and `call().ok();` as a statement.
(let_declaration pattern: _ @_pattern value: (_) @value) @rust.let-discard

(expression_statement
  (call_expression
    function: (field_expression field: (field_identifier) @_ok)
    arguments: (arguments) @_args) @call) @rust.ok-discard

[(line_comment) (block_comment)] @comment
