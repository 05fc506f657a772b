; Check patterns for PHP.

((function_call_expression function: (name) @_fn arguments: (arguments) @args) @php.dump
 (#any-of? @_fn "var_dump" "print_r" "var_export" "dd" "dump" "debug_zval_dump"))

(catch_clause body: (compound_statement) @body) @catch

(comment) @comment
