; Change units for C++. Captures: @definition.<kind>, @name or @declarator (definitions.py
; digs the name out of it; Class::method out of line becomes the method Class.method), @body.
; Namespaces are not containers, as in every language. template<...> widens the span.
(function_definition declarator: (_) @declarator body: (compound_statement) @body) @definition.function
(function_definition declarator: (_) @declarator body: (try_statement) @body) @definition.function
(class_specifier name: (_) @name body: (field_declaration_list) @body) @definition.class
(struct_specifier name: (_) @name body: (field_declaration_list) @body) @definition.class
(union_specifier name: (_) @name body: (field_declaration_list) @body) @definition.class
(type_definition
  type: [(struct_specifier !name body: (field_declaration_list) @body)
         (class_specifier !name body: (field_declaration_list) @body)]
  declarator: (type_identifier) @name) @definition.class
; template <...> on its own line: found even when a query is limited to that line.
(template_declaration
  (function_definition declarator: (_) @declarator body: (compound_statement) @body) @definition.function) @wrapper
(template_declaration
  [(class_specifier name: (_) @name body: (field_declaration_list) @body)
   (struct_specifier name: (_) @name body: (field_declaration_list) @body)] @definition.class) @wrapper
