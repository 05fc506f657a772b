; Check patterns for C (also run on C++).

((call_expression
   function: (identifier) @_fn
   arguments: (argument_list . (identifier) @dest)) @c.copy
 (#any-of? @_fn "strcpy" "strcat" "sprintf" "vsprintf"))

((call_expression function: (identifier) @_fn) @c.gets
 (#eq? @_fn "gets"))

(array_declarator declarator: (identifier) @name size: (_) @size) @c.array

; Debug output: printf/puts, and fprintf to stderr (output to a named stream is the file's job).
((expression_statement (call_expression function: (identifier) @_fn) @call) @debug.print
 (#any-of? @_fn "printf" "puts"))

((expression_statement
   (call_expression
     function: (identifier) @_fn
     arguments: (argument_list . (identifier) @_dest)) @call) @debug.print
 (#eq? @_fn "fprintf")
 (#eq? @_dest "stderr"))

; A local bound to a call's result: the leak rule checks for an acquire with no release.
(init_declarator declarator: (pointer_declarator declarator: (identifier) @name) value: (call_expression) @value) @leak.assign
(init_declarator declarator: (identifier) @name value: (call_expression) @value) @leak.assign
(assignment_expression left: (identifier) @name right: (call_expression) @value) @leak.assign

(comment) @comment
