; Change units for Python. Captures: @definition.<kind> (the definition), @name, @body.
; A decorated definition's span is widened to its decorators in definitions.py; the
; @wrapper patterns let a query limited to a decorator's lines still find the definition.
(function_definition name: (identifier) @name body: (block) @body) @definition.function
(class_definition name: (identifier) @name body: (block) @body) @definition.class
(decorated_definition
  definition: (function_definition name: (identifier) @name body: (block) @body) @definition.function) @wrapper
(decorated_definition
  definition: (class_definition name: (identifier) @name body: (block) @body) @definition.class) @wrapper
