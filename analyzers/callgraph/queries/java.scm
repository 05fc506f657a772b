; Tags for Java: definitions, calls and imports.
(class_declaration name: (identifier) @name.definition.class) @definition.class

(interface_declaration name: (identifier) @name.definition.interface) @definition.interface

(enum_declaration name: (identifier) @name.definition.class) @definition.class

(record_declaration name: (identifier) @name.definition.class) @definition.class

(method_declaration
  name: (identifier) @name.definition.method
  parameters: (formal_parameters) @params) @definition.method

(constructor_declaration
  name: (identifier) @name.definition.constructor
  parameters: (formal_parameters) @params) @definition.constructor

(method_invocation name: (identifier) @name.reference.call arguments: (argument_list) @args) @reference.call

(object_creation_expression
  type: [(type_identifier) @name.reference.new (generic_type (type_identifier) @name.reference.new)]
  arguments: (argument_list) @args) @reference.new

(import_declaration [(scoped_identifier) (identifier)] @import.module) @import

(package_declaration [(scoped_identifier) (identifier)] @package)

; Argument details, joined to their call by the argument list's position.
(argument_list [(line_comment) (block_comment)] @arg.skip)
