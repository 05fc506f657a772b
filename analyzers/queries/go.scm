; Change units for Go. Captures: @definition.<kind>, @name, @body, @receiver (the
; receiver's type name: methods are named Type.Method).
(function_declaration name: (identifier) @name body: (block) @body) @definition.function
(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [(type_identifier) @receiver
             (pointer_type (type_identifier) @receiver)
             (generic_type type: (type_identifier) @receiver)
             (pointer_type (generic_type type: (type_identifier) @receiver))]))
  name: (field_identifier) @name
  body: (block) @body) @definition.method
; Any other receiver shape: still a method, named without its type.
(method_declaration name: (field_identifier) @name body: (block) @body) @definition.method
(type_spec name: (type_identifier) @name type: [(struct_type) (interface_type)]) @definition.class
