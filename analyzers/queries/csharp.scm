; Change units for C#. Captures: @definition.<kind>, @name, @body. Namespaces are not part of
; names; constructors, destructors (~Name) and properties with accessors are methods.
(class_declaration name: (identifier) @name body: (declaration_list) @body) @definition.class
(struct_declaration name: (identifier) @name body: (declaration_list) @body) @definition.class
(interface_declaration name: (identifier) @name body: (declaration_list) @body) @definition.class
(record_declaration name: (identifier) @name body: (declaration_list)? @body) @definition.class
(enum_declaration name: (identifier) @name body: (enum_member_declaration_list) @body) @definition.class
(method_declaration name: (identifier) @name body: (_)? @body) @definition.method
(constructor_declaration name: (identifier) @name body: (_)? @body) @definition.method
(destructor_declaration name: (identifier) @name body: (_)? @body) @definition.method
(property_declaration name: (identifier) @name accessors: (accessor_list) @body) @definition.method
(property_declaration name: (identifier) @name value: (arrow_expression_clause) @body) @definition.method
(local_function_statement name: (identifier) @name body: (_)? @body) @definition.function
