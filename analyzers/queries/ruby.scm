; Change units for Ruby. Captures: @definition.<kind>, @name, @body. Modules are containers
; like classes; def self.x is the method x of the enclosing class or module.
(module name: (_) @name body: (_)? @body) @definition.class
(class name: (_) @name body: (_)? @body) @definition.class
(method name: (_) @name body: (_)? @body) @definition.function
(singleton_method name: (_) @name body: (_)? @body) @definition.method
