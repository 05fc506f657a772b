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

[(line_comment) (block_comment)] @comment
