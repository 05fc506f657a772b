; Tags for Ruby: definitions, calls and requires.
(class name: (_) @name.definition.class) @definition.class

(module name: (_) @name.definition.module) @definition.module

(method name: (_) @name.definition.method parameters: (method_parameters)? @params) @definition.method

(singleton_method name: (_) @name.definition.method parameters: (method_parameters)? @params) @definition.method

(call method: (identifier) @name.reference.call arguments: (argument_list)? @args) @reference.call

(call
  method: (identifier) @_require
  arguments: (argument_list . (string (string_content) @import.module))
  (#match? @_require "^require(_relative)?$")) @import

; Argument details, joined to their call by the argument list's position.
(argument_list [(splat_argument) (hash_splat_argument)] @arg.splat)
(argument_list (pair key: (hash_key_symbol) @arg.keyword))
(argument_list [(block_argument) (comment)] @arg.skip)
