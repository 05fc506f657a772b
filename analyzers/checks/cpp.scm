; Check patterns for C++ only (run together with c.scm).

(catch_clause body: (compound_statement) @body) @catch

; `std::cout << ...` / `std::cerr << ...` statements; the rule walks to the leftmost operand.
(expression_statement (binary_expression operator: "<<") @call) @cpp.stream
