; Tags for C: definitions, calls and includes.
(function_definition
  declarator: (function_declarator
    declarator: (identifier) @name.definition.function
    parameters: (parameter_list) @params)) @definition.function

(function_definition
  declarator: (pointer_declarator
    declarator: (function_declarator
      declarator: (identifier) @name.definition.function
      parameters: (parameter_list) @params))) @definition.function

(function_definition
  declarator: (pointer_declarator
    declarator: (pointer_declarator
      declarator: (function_declarator
        declarator: (identifier) @name.definition.function
        parameters: (parameter_list) @params)))) @definition.function

(struct_specifier name: (type_identifier) @name.definition.class body: (_)) @definition.class

(call_expression function: (identifier) @name.reference.call arguments: (argument_list) @args) @reference.call

(call_expression
  function: (field_expression field: (field_identifier) @name.reference.call)
  arguments: (argument_list) @args) @reference.call

(preproc_include path: (_) @import.module) @import

; Argument details, joined to their call by the argument list's position.
(argument_list (comment) @arg.skip)
