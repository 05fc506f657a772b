; Change units for Rust. Captures: @definition.<kind>, @name, @body. An impl block is a
; container named by its type (impl Display for Foo -> Foo), so its methods are Foo.method.
(function_item name: (identifier) @name body: (block) @body) @definition.function
(impl_item
  type: [(type_identifier) @name
         (generic_type type: (type_identifier) @name)
         (scoped_type_identifier name: (type_identifier) @name)
         (generic_type type: (scoped_type_identifier name: (type_identifier) @name))]
  body: (declaration_list) @body) @definition.class
; Any other implemented type (&Foo, [T], (A, B)): named by its text.
(impl_item type: (_) @name body: (declaration_list) @body) @definition.class
(trait_item name: (type_identifier) @name body: (declaration_list) @body) @definition.class
(struct_item name: (type_identifier) @name body: (_)? @body) @definition.class
(enum_item name: (type_identifier) @name body: (enum_variant_list) @body) @definition.class
(union_item name: (type_identifier) @name body: (field_declaration_list) @body) @definition.class
(mod_item name: (identifier) @name body: (declaration_list) @body) @definition.class
