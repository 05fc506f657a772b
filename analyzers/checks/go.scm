; Check patterns for Go.

(short_var_declaration left: (expression_list) @left right: (expression_list) @right) @go.assign
(assignment_statement left: (expression_list) @left right: (expression_list) @right) @go.assign

; Debug output: fmt.Print/Printf/Println to stdout and the builtin println (not Fprintf to a writer).
((expression_statement
   (call_expression
     function: (selector_expression operand: (identifier) @_pkg field: (field_identifier) @_fn)) @call) @debug.print
 (#eq? @_pkg "fmt")
 (#any-of? @_fn "Println" "Printf" "Print"))

((expression_statement (call_expression function: (identifier) @_fn) @call) @debug.print
 (#any-of? @_fn "println" "print"))

; Calls the injection rule inspects for SQL or shell text built from pieces.
(call_expression) @inj.call

; A local bound to a call's result: the leak rule checks for an acquire with no release.
(short_var_declaration left: (expression_list . (identifier) @name) right: (expression_list . (call_expression) @value)) @leak.assign

(comment) @comment
