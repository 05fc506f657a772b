; Check patterns for C (also run on C++).

((call_expression
   function: (identifier) @_fn
   arguments: (argument_list . (identifier) @dest)) @c.copy
 (#any-of? @_fn "strcpy" "strcat" "sprintf" "vsprintf"))

((call_expression function: (identifier) @_fn) @c.gets
 (#eq? @_fn "gets"))

(array_declarator declarator: (identifier) @name size: (_) @size) @c.array

(comment) @comment
