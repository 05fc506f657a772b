; Tags for Python: definitions, calls and imports.
(class_definition name: (identifier) @name.definition.class) @definition.class

(function_definition
  name: (identifier) @name.definition.function
  parameters: (parameters) @params) @definition.function

(call function: (identifier) @name.reference.call arguments: (_) @args) @reference.call

(call
  function: (attribute attribute: (identifier) @name.reference.call)
  arguments: (_) @args) @reference.call

(import_statement name: (dotted_name) @import.module) @import

(import_statement
  name: (aliased_import name: (dotted_name) @import.module alias: (identifier) @import.namespace)) @import

(import_from_statement module_name: (_) @import.module name: (dotted_name) @import.name) @import

(import_from_statement
  module_name: (_) @import.module
  name: (aliased_import name: (dotted_name) @import.name alias: (identifier) @import.alias)) @import

(import_from_statement module_name: (_) @import.module (wildcard_import) @import.wildcard) @import

; Argument details, joined to their call by the argument list's position.
(argument_list [(list_splat) (dictionary_splat)] @arg.splat)
(argument_list (keyword_argument name: (identifier) @arg.keyword))
(argument_list (comment) @arg.skip)
