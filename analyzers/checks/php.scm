; Check patterns for PHP.

((function_call_expression function: (name) @_fn arguments: (arguments) @args) @php.dump
 (#any-of? @_fn "var_dump" "print_r" "var_export" "dd" "dump" "debug_zval_dump"))

(catch_clause body: (compound_statement) @body) @catch

; error_log(print_r($x, true)) and friends: a value dumped to the server log.
((function_call_expression function: (name) @_fn arguments: (arguments) @args) @php.error-log
 (#eq? @_fn "error_log"))

; Calls the injection rule inspects for SQL or shell text built from pieces.
(function_call_expression) @inj.call
(member_call_expression) @inj.call
(shell_command_expression) @inj.call

; A local bound to a call's result: the leak rule checks for an acquire with no release.
(assignment_expression left: (variable_name) @name right: (function_call_expression) @value) @leak.assign

(comment) @comment
