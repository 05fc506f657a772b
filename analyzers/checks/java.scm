; Check patterns for Java.

(catch_clause (catch_formal_parameter name: (identifier) @name)? body: (block) @body) @catch

; Debug output: System.out/err.print*, and e.printStackTrace() with no target stream.
((expression_statement
   (method_invocation
     object: (field_access object: (identifier) @_sys field: (identifier) @_stream)
     name: (identifier) @_fn) @call) @debug.print
 (#eq? @_sys "System")
 (#any-of? @_stream "out" "err")
 (#any-of? @_fn "println" "print" "printf"))

((expression_statement
   (method_invocation name: (identifier) @_fn arguments: (argument_list) @args) @call) @java.stack-trace
 (#eq? @_fn "printStackTrace"))

; Calls the injection rule inspects for SQL or shell text built from pieces.
(method_invocation) @inj.call

; A local bound to a call's result: the leak rule checks for an acquire with no release.
(local_variable_declaration declarator: (variable_declarator name: (identifier) @name value: [(object_creation_expression) (method_invocation)] @value)) @leak.assign

[(line_comment) (block_comment)] @comment
