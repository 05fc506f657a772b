; Check patterns for C#.

(catch_clause body: (block) @body) @catch

(comment) @comment
