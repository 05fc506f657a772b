; Change units for JavaScript. Captures: @definition.<kind>, @name, @body.
(function_declaration name: (identifier) @name body: (statement_block) @body) @definition.function
(generator_function_declaration name: (identifier) @name body: (statement_block) @body) @definition.function
(class_declaration name: (identifier) @name body: (class_body) @body) @definition.class
(method_definition name: (_) @name body: (statement_block) @body) @definition.method
(field_definition
  property: (_) @name
  value: [(arrow_function body: (_) @body) (function_expression body: (_) @body)]) @definition.method
; const f = () => {}, let g = function () {}, var h = function* () {}
(lexical_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function body: (_) @body) (function_expression body: (_) @body) (generator_function body: (_) @body)])) @definition.function
(variable_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function body: (_) @body) (function_expression body: (_) @body) (generator_function body: (_) @body)])) @definition.function
; Foo.prototype.bar = function () {}, exports.baz = () => {} (not this.x = ...)
(expression_statement
  (assignment_expression
    left: (member_expression) @name
    right: [(arrow_function body: (_) @body) (function_expression body: (_) @body)])
  (#not-match? @name "^this[.]")) @definition.function
