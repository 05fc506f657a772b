; Tags for Go: definitions, calls and imports.
(function_declaration
  name: (identifier) @name.definition.function
  parameters: (parameter_list) @params) @definition.function

(method_declaration
  receiver: (parameter_list) @receiver
  name: (field_identifier) @name.definition.method
  parameters: (parameter_list) @params) @definition.method

(type_spec name: (type_identifier) @name.definition.class type: (struct_type)) @definition.class

(type_spec name: (type_identifier) @name.definition.interface type: (interface_type)) @definition.interface

(call_expression function: (identifier) @name.reference.call arguments: (argument_list) @args) @reference.call

(call_expression
  function: (selector_expression field: (field_identifier) @name.reference.call)
  arguments: (argument_list) @args) @reference.call

(import_spec name: (package_identifier) @import.namespace path: (_) @import.module) @import

(import_spec !name path: (_) @import.module) @import

(package_clause (package_identifier) @package)

; Argument details, joined to their call by the argument list's position.
(argument_list (variadic_argument) @arg.splat)
(argument_list (comment) @arg.skip)
