; Tags for JavaScript: definitions, calls and imports.
(class_declaration name: (identifier) @name.definition.class) @definition.class

(class name: (identifier) @name.definition.class) @definition.class

(function_declaration
  name: (identifier) @name.definition.function
  parameters: (formal_parameters) @params) @definition.function

(generator_function_declaration
  name: (identifier) @name.definition.function
  parameters: (formal_parameters) @params) @definition.function

(method_definition
  name: [(property_identifier) (private_property_identifier)] @name.definition.method
  parameters: (formal_parameters) @params) @definition.method

(variable_declarator
  name: (identifier) @name.definition.function
  value: [
    (arrow_function parameters: (formal_parameters) @params)
    (arrow_function parameter: (identifier) @params)
    (function_expression parameters: (formal_parameters) @params)
  ]) @definition.function

(pair
  key: (property_identifier) @name.definition.function
  value: [
    (arrow_function parameters: (formal_parameters) @params)
    (arrow_function parameter: (identifier) @params)
    (function_expression parameters: (formal_parameters) @params)
  ]) @definition.function

(call_expression function: (identifier) @name.reference.call arguments: (arguments) @args) @reference.call

(call_expression
  function: (member_expression property: [(property_identifier) (private_property_identifier)] @name.reference.call)
  arguments: (arguments) @args) @reference.call

(new_expression constructor: (identifier) @name.reference.new arguments: (arguments)? @args) @reference.new

(import_statement
  (import_clause (named_imports (import_specifier name: (identifier) @import.name alias: (identifier)? @import.alias)))
  source: (string (string_fragment) @import.module)) @import

(import_statement
  (import_clause (identifier) @import.name)
  source: (string (string_fragment) @import.module)) @import

(import_statement
  (import_clause (namespace_import (identifier) @import.namespace))
  source: (string (string_fragment) @import.module)) @import

(variable_declarator
  name: (identifier) @import.namespace
  value: (call_expression
    function: (identifier) @_require
    arguments: (arguments . (string (string_fragment) @import.module)))
  (#eq? @_require "require")) @import

; Argument details, joined to their call by the argument list's position.
(arguments (spread_element) @arg.splat)
(arguments (comment) @arg.skip)
