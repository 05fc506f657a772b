; Check patterns for Ruby.

((call receiver: (identifier) @_recv method: (identifier) @_meth) @ruby.debugger
 (#eq? @_recv "binding")
 (#any-of? @_meth "pry" "irb" "remote_pry" "pry_remote"))

((identifier) @ruby.debugger
 (#any-of? @ruby.debugger "byebug" "debugger"))

(rescue_modifier handler: (nil)) @ruby.rescue-nil

(rescue) @ruby.rescue

; Debug output: puts/print/p/pp with no receiver (the rule checks it stands as a statement).
((call !receiver method: (identifier) @_fn) @debug.print
 (#any-of? @_fn "puts" "print" "p" "pp"))

; Calls the injection rule inspects for SQL or shell text built from pieces.
(call) @inj.call
(subshell) @inj.call

; A local bound to a call's result: the leak rule checks for an acquire with no release.
(assignment left: (identifier) @name right: (call) @value) @leak.assign

(comment) @comment
