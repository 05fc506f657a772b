; Check patterns for Go.

(short_var_declaration left: (expression_list) @left right: (expression_list) @right) @go.assign
(assignment_statement left: (expression_list) @left right: (expression_list) @right) @go.assign

(comment) @comment
