; Tags for Rust: definitions, calls and use declarations.
(function_item name: (identifier) @name.definition.function parameters: (parameters) @params) @definition.function

(function_signature_item name: (identifier) @name.definition.function parameters: (parameters) @params) @definition.function

(struct_item name: (type_identifier) @name.definition.class) @definition.class

(enum_item name: (type_identifier) @name.definition.class) @definition.class

(trait_item name: (type_identifier) @name.definition.interface) @definition.interface

(impl_item type: (_) @name.scope body: (_)) @scope

(mod_item name: (identifier) @name.scope body: (_)) @scope

(call_expression function: (identifier) @name.reference.call arguments: (arguments) @args) @reference.call

(call_expression
  function: (field_expression field: (field_identifier) @name.reference.call)
  arguments: (arguments) @args) @reference.call

(call_expression
  function: (scoped_identifier name: (identifier) @name.reference.call)
  arguments: (arguments) @args) @reference.call

(call_expression
  function: (generic_function function: [
    (identifier) @name.reference.call
    (scoped_identifier name: (identifier) @name.reference.call)
    (field_expression field: (field_identifier) @name.reference.call)])
  arguments: (arguments) @args) @reference.call

(use_declaration argument: (_) @import.module) @import

; Argument details, joined to their call by the argument list's position.
(arguments [(line_comment) (block_comment)] @arg.skip)
