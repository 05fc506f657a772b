; Check patterns for JavaScript, TypeScript and TSX (the TS grammars extend the JS one).

((call_expression
   function: (member_expression object: (identifier) @_obj property: (property_identifier) @_prop)) @js.console
 (#eq? @_obj "console")
 (#any-of? @_prop "log" "debug" "trace" "dir" "dirxml" "table"))

(debugger_statement) @js.debugger

(binary_expression left: (_) @left operator: ["==" "!="] @op right: (_) @right) @js.loose-equality

(catch_clause body: (statement_block) @body) @catch

; promise.catch(handler): the rule checks whether the handler drops the error.
((call_expression
   function: (member_expression property: (property_identifier) @_prop)
   arguments: (arguments . [(arrow_function) (function_expression)] @handler .)) @js.promise-catch
 (#eq? @_prop "catch"))

; Calls the injection rule inspects for SQL or shell text built from pieces.
(call_expression) @inj.call

; A local bound to a call's result: the leak rule checks for an acquire with no release.
(variable_declarator name: (identifier) @name value: (call_expression) @value) @leak.assign

(comment) @comment
