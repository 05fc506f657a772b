; Check patterns for C++ only (run together with c.scm).

(catch_clause body: (compound_statement) @body) @catch
