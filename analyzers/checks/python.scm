; Check patterns for Python. Capture names are read by the rules in this package:
; a capture named after a rule marks the flagged node; names starting with "_" feed predicates.

((expression_statement
   (call function: (identifier) @_fn arguments: (argument_list) @args)) @py.print
 (#eq? @_fn "print"))

((expression_statement (call function: (identifier) @_fn)) @py.debugger
 (#eq? @_fn "breakpoint"))

((expression_statement
   (call function: (attribute object: (identifier) @_mod attribute: (identifier) @_attr))) @py.debugger
 (#any-of? @_mod "pdb" "ipdb" "pudb")
 (#eq? @_attr "set_trace"))

(except_clause) @py.except

(default_parameter name: (identifier) @name value: (_) @value) @py.default
(typed_default_parameter name: (identifier) @name value: (_) @value) @py.default

(comparison_operator (none)) @py.none-comparison

; Calls the injection rule inspects for SQL or shell text built from pieces.
(call) @inj.call

; A local bound to a call's result: the leak rule checks for an acquire with no release.
(assignment left: (identifier) @name right: (call) @value) @leak.assign

(comment) @comment
