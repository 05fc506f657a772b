; Tags for C++: definitions, calls and includes.
(function_definition
  declarator: (function_declarator
    declarator: [(identifier) (field_identifier) (qualified_identifier) (destructor_name) (operator_name)] @name.definition.function
    parameters: (parameter_list) @params)) @definition.function

(function_definition
  declarator: [(pointer_declarator (function_declarator
      declarator: [(identifier) (field_identifier) (qualified_identifier)] @name.definition.function
      parameters: (parameter_list) @params))
    (reference_declarator (function_declarator
      declarator: [(identifier) (field_identifier) (qualified_identifier)] @name.definition.function
      parameters: (parameter_list) @params))]) @definition.function

(class_specifier name: (type_identifier) @name.definition.class body: (_)) @definition.class

(struct_specifier name: (type_identifier) @name.definition.class body: (_)) @definition.class

(namespace_definition name: (_) @name.scope body: (_)) @scope

(call_expression function: (identifier) @name.reference.call arguments: (argument_list) @args) @reference.call

(call_expression
  function: (field_expression field: (field_identifier) @name.reference.call)
  arguments: (argument_list) @args) @reference.call

(call_expression
  function: (qualified_identifier name: (identifier) @name.reference.call)
  arguments: (argument_list) @args) @reference.call

(call_expression
  function: (template_function name: (identifier) @name.reference.call)
  arguments: (argument_list) @args) @reference.call

(new_expression type: (type_identifier) @name.reference.new arguments: (argument_list)? @args) @reference.new

(preproc_include path: (_) @import.module) @import

; Argument details, joined to their call by the argument list's position.
(argument_list (comment) @arg.skip)
