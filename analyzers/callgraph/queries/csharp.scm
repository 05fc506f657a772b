; Tags for C#: definitions, calls and using directives.
(class_declaration name: (identifier) @name.definition.class) @definition.class

(struct_declaration name: (identifier) @name.definition.class) @definition.class

(record_declaration name: (identifier) @name.definition.class) @definition.class

(interface_declaration name: (identifier) @name.definition.interface) @definition.interface

(method_declaration
  name: (identifier) @name.definition.method
  parameters: (parameter_list) @params) @definition.method

(constructor_declaration
  name: (identifier) @name.definition.constructor
  parameters: (parameter_list) @params) @definition.constructor

(local_function_statement
  name: (identifier) @name.definition.function
  parameters: (parameter_list) @params) @definition.function

(namespace_declaration name: (_) @name.scope body: (_)) @scope

(file_scoped_namespace_declaration name: (_) @package)

(invocation_expression
  function: [(identifier) @name.reference.call (generic_name (identifier) @name.reference.call)]
  arguments: (argument_list) @args) @reference.call

(invocation_expression
  function: (member_access_expression
    name: [(identifier) @name.reference.call (generic_name (identifier) @name.reference.call)])
  arguments: (argument_list) @args) @reference.call

(object_creation_expression
  type: [(identifier) @name.reference.new (generic_name (identifier) @name.reference.new)]
  arguments: (argument_list)? @args) @reference.new

(using_directive [(qualified_name) (identifier)] @import.module) @import

; Argument details, joined to their call by the argument list's position.
(argument_list (argument name: (identifier) @arg.keyword))
(argument_list (comment) @arg.skip)
