; Check patterns for PHP.

((function_call_expression function: (name) @_fn arguments: (arguments) @args) @php.dump
 (#any-of? @_fn "var_dump" "print_r" "var_export" "dd" "dump" "debug_zval_dump"))

(catch_clause body: (compound_statement) @body) @catch

; error_log(print_r($x, true)) and friends: a value dumped to the server log.
((function_call_expression function: (name) @_fn arguments: (arguments) @args) @php.error-log
 (#eq? @_fn "error_log"))

(comment) @comment
