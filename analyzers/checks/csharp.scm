; Check patterns for C#.

(catch_clause body: (block) @body) @catch

; Debug output: Console.Write/WriteLine and Console.Error.Write/WriteLine.
((expression_statement
   (invocation_expression
     function: (member_access_expression expression: (identifier) @_cls name: (identifier) @_fn)) @call) @debug.print
 (#eq? @_cls "Console")
 (#any-of? @_fn "WriteLine" "Write"))

((expression_statement
   (invocation_expression
     function: (member_access_expression
       expression: (member_access_expression expression: (identifier) @_cls name: (identifier) @_err)
       name: (identifier) @_fn)) @call) @debug.print
 (#eq? @_cls "Console")
 (#eq? @_err "Error")
 (#any-of? @_fn "WriteLine" "Write"))

; Calls the injection rule inspects for SQL or shell text built from pieces.
(invocation_expression) @inj.call
(object_creation_expression) @inj.call

; A local bound to a call's result: the leak rule checks for an acquire with no release.
(local_declaration_statement (variable_declaration (variable_declarator name: (identifier) @name [(object_creation_expression) (invocation_expression)] @value))) @leak.assign

(comment) @comment
