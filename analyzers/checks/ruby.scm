; Check patterns for Ruby.

((call receiver: (identifier) @_recv method: (identifier) @_meth) @ruby.debugger
 (#eq? @_recv "binding")
 (#any-of? @_meth "pry" "irb" "remote_pry" "pry_remote"))

((identifier) @ruby.debugger
 (#any-of? @ruby.debugger "byebug" "debugger"))

(rescue_modifier handler: (nil)) @ruby.rescue-nil

(rescue) @ruby.rescue

(comment) @comment
