; Check patterns for Java.

(catch_clause (catch_formal_parameter name: (identifier) @name)? body: (block) @body) @catch

[(line_comment) (block_comment)] @comment
