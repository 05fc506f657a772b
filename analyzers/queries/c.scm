; Change units for C. Captures: @definition.<kind>, @name or @declarator (the function's
; declarator: definitions.py digs the name out of pointer declarators), @body.
(function_definition declarator: (_) @declarator body: (compound_statement) @body) @definition.function
(struct_specifier name: (type_identifier) @name body: (field_declaration_list) @body) @definition.class
(union_specifier name: (type_identifier) @name body: (field_declaration_list) @body) @definition.class
; typedef struct { ... } Name;
(type_definition
  type: [(struct_specifier !name body: (field_declaration_list) @body)
         (union_specifier !name body: (field_declaration_list) @body)]
  declarator: (type_identifier) @name) @definition.class
