; Tags for PHP: definitions, calls and use clauses.
(class_declaration name: (name) @name.definition.class) @definition.class

(interface_declaration name: (name) @name.definition.interface) @definition.interface

(trait_declaration name: (name) @name.definition.class) @definition.class

(function_definition
  name: (name) @name.definition.function
  parameters: (formal_parameters) @params) @definition.function

(method_declaration
  name: (name) @name.definition.method
  parameters: (formal_parameters) @params) @definition.method

(namespace_definition name: (namespace_name) @package)

(function_call_expression
  function: [(name) @name.reference.call (qualified_name (name) @name.reference.call .)]
  arguments: (arguments) @args) @reference.call

(member_call_expression name: (name) @name.reference.call arguments: (arguments) @args) @reference.call

(nullsafe_member_call_expression name: (name) @name.reference.call arguments: (arguments) @args) @reference.call

(scoped_call_expression name: (name) @name.reference.call arguments: (arguments) @args) @reference.call

(object_creation_expression [(name) @name.reference.new (qualified_name (name) @name.reference.new .)] (arguments)? @args) @reference.new

(namespace_use_clause [(qualified_name) (name)] @import.module) @import

; Argument details, joined to their call by the argument list's position.
(arguments (argument (variadic_unpacking)) @arg.splat)
(arguments (argument name: (name) @arg.keyword))
(arguments (comment) @arg.skip)
