"""Precision regressions found by reviewing real recent commits (``bench/commits.py``).

Each case is the general shape of a finding labelled wrong in
``bench/corpus/commit_verdicts.md``, next to the shape the rule must keep flagging.
"""

from __future__ import annotations

import pytest
from rules_support import findings, flagged_lines
from tactful.analyzers.callgraph import CallGraph, extract_tags, signature_change_findings
from tactful.analyzers.callgraph.params import parameter_info
from tactful.analyzers.languages import parse
from tactful.analyzers.model import ChangeUnit, Span

# --- py.bare-except: cleanup then a bare `raise` is PEP 8's sanctioned use -----------------


def test_bare_except_that_reraises_is_silent() -> None:
    change = " try:\n     go()\n+except:\n+    cleanup()\n+    raise\n"
    assert findings("m.py", change, "py.bare-except") == []


def test_bare_except_that_widens_a_typed_handler_is_flagged_without_a_fix() -> None:
    change = " try:\n     go()\n-except OSError:\n+except:\n     cleanup()\n     raise\n"
    (finding,) = findings("m.py", change, "py.bare-except")
    assert finding.fix is None  # `except Exception` would skip the cleanup on Ctrl-C
    assert "`OSError`" in finding.message and finding.confidence == 0.5


def test_bare_except_that_reraises_only_sometimes_still_swallows() -> None:
    change = " try:\n     go()\n+except:\n+    if fatal:\n+        raise\n+    log()\n"
    assert flagged_lines("m.py", change, "py.bare-except") == [3]


# --- a line whose code is unchanged and only its trailing comment changed ----------------


def test_dropping_a_noqa_comment_is_not_new_code() -> None:
    change = " try:\n     go()\n-except:  # noqa: E722\n+except:\n     log()\n"
    assert findings("m.py", change, "py.bare-except") == []


def test_adding_a_comment_to_old_code_is_not_new_code() -> None:
    change = " def f(x):\n-    print(x)\n+    print(x)  # shows the value\n"
    assert findings("pkg/m.py", change, "py.debug-print") == []


def test_a_todo_added_after_old_code_is_still_new() -> None:
    change = " def f():\n-    x = 1\n+    x = 1  # TODO: fix this\n     return x\n"
    assert flagged_lines("m.py", change, "generic.todo-no-reference") == [2]


def test_code_edited_next_to_a_comment_is_new_code() -> None:
    change = " def f(x):\n-    g(x)  # note\n+    print(x)  # note\n"
    assert flagged_lines("pkg/m.py", change, "py.debug-print") == [2]


# --- generic.dropped-parameter: an indented `if (param...)` is a test, not an action -------

SKIPS_A_TEST = """\
 function handle(result, key, input, optin) {
   const isPresent = key in input;
+  if (!isPresent && optin === "optional") {
+    return;
+  }
   if (result.issues.length) {
     throw new Error("bad");
   }
 }
"""


def test_a_return_before_a_test_of_the_parameter_is_not_a_dropped_action() -> None:
    assert findings("src/a.ts", SKIPS_A_TEST, "generic.dropped-parameter") == []


def test_a_return_before_the_parameter_is_acted_on_is_still_flagged() -> None:
    change = (
        " def make_context(cert, verify):\n+    if not verify:\n+        return default_context\n"
        "     ctx = new_context()\n     ctx.load_cert(cert)\n     return ctx\n"
    )
    assert flagged_lines("src/a.py", change, "generic.dropped-parameter") == [3]


# --- js.swallowed-promise: a `.catch()` whose result is used as a non-Promise --------------


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        pytest.param(
            "expect(make().catch(() => null).safeParse(v).success).toBe(true);",
            False,
            id="schema-catch-then-parse",
        ),  # fmt: skip
        pytest.param("(s as any).catch(() => null).parse(v);", False, id="cast-then-parse"),
        pytest.param("return p.catch(() => null).then(use);", True, id="promise-then"),
        pytest.param("p.catch(() => {});", True, id="promise-statement"),
    ],
)
def test_catch_chained_into_a_non_promise_member_is_not_a_promise(line: str, flagged: bool) -> None:
    change = f" function f(p, s, make, v) {{\n+  {line}\n }}\n"
    assert bool(findings("src/a.ts", change, "js.swallowed-promise")) == flagged


# --- js.console-log: a module that exports nothing and awaits at the top is a script -------

MEASURE = (
    '+import { build } from "esbuild";\n+for (const f of ["a", "b"]) {\n'
    "+  const r = await build({ entryPoints: [f] });\n+  console.log(`${f} ${r}`);\n+}\n"
)


def test_console_log_of_a_top_level_await_script_is_its_output() -> None:
    assert findings("measure.mjs", MEASURE, "js.console-log") == []


def test_console_log_in_a_module_that_exports_is_still_flagged() -> None:
    change = "+export const size = 1;\n" + MEASURE
    assert flagged_lines("measure.mjs", change, "js.console-log") == [5]


def test_await_inside_a_function_does_not_make_a_script() -> None:
    change = "+async function f() {\n+  const r = await g();\n+  console.log(r);\n+}\n+f();\n"
    assert flagged_lines("src/a.js", change, "js.console-log") == [3]


# --- callgraph.signature-change: Ruby's `...` forwards any arguments -----------------------


def test_ruby_argument_forwarding_is_variadic() -> None:
    tree = parse("ruby", "def use(middleware, ...)\n  x(...)\nend\n")
    params = tree.root_node.named_children[0].child_by_field_name("parameters")
    assert params is not None
    assert parameter_info("ruby", params, "method")[1:] == (1, None)


def test_splat_replaced_by_forwarding_leaves_callers_valid() -> None:
    old_text = (
        "class B\n  def use(middleware, *args, &block)\n    go(middleware, *args)\n  end\nend\n"
    )
    new_text = "class B\n  def use(middleware, ...)\n    go(middleware, ...)\n  end\nend\n"
    caller = "def setup(b)\n  b.use Logger\n  b.use Cache, 1, 2\nend\n"
    old = extract_tags("ruby", "b.rb", old_text)
    new = extract_tags("ruby", "b.rb", new_text)
    graph = CallGraph.build([new, extract_tags("ruby", "c.rb", caller)])
    unit = ChangeUnit("b.rb", "ruby", "method", "B.use", None, Span.lines(2, 4), "", "", (2, 3), ())
    names = {d.qualified_name for d in new.definitions}
    assert "B.use" in names
    assert signature_change_findings([unit], old.definitions, new.definitions, graph) == []


# --- generic.commented-out-code: old commented examples reworded; Rust inline tests --------

EXAMPLES_REWORDED = """\
 ERRORS = (
     (OperationalError, '2006'),
     # Postgres error examples:
-    #(OperationalError, 'terminat'),
-    #(InterfaceError, 'connection already closed'),
+    #(OperationalError, 'server closed the connection'),  # psycopg2.
+    #(InterfaceError, 'connection already closed'),  # psycopg2.
+    #(OperationalError, 'terminating connection'),  # psycopg3.
 )
"""


def test_rewording_commented_out_code_that_was_there_is_not_adding_it() -> None:
    assert findings("pkg/m.py", EXAMPLES_REWORDED, "generic.commented-out-code") == []


def test_commenting_out_live_code_is_still_flagged() -> None:
    change = " def f(x):\n-    y = g(x)\n-    h(y)\n+    # y = g(x)\n+    # h(y)\n     return x\n"
    assert flagged_lines("pkg/m.py", change, "generic.commented-out-code") == [2]


RUST_INLINE_TEST = """\
 pub fn f() {}
 #[cfg(test)]
 mod tests {
     #[test]
     fn scratch() {
+        // println!("{:?}", analysis("a|b"));
+        // println!("{:?}", analysis("[2-6]"));
     }
 }
"""


def test_commented_out_code_in_a_rust_inline_test_is_left_alone() -> None:
    assert findings("src/lib.rs", RUST_INLINE_TEST, "generic.commented-out-code") == []


def test_commented_out_code_in_rust_library_code_is_still_flagged() -> None:
    change = " pub fn f(x: u32) -> u32 {\n+    // let y = g(x);\n+    // h(y);\n     x\n }\n"
    assert flagged_lines("src/lib.rs", change, "generic.commented-out-code") == [2]


# --- generic.removed-release: an early-exit branch deleted whole, condition included -------

EXIT_BRANCH_DELETED = """\
 static void queue_accept(handle_t* handle, req_t* req) {
   SOCKET s = WSASocketW(family, SOCK_STREAM, 0, NULL, 0, FLAGS);
   if (s == INVALID_SOCKET) {
     return;
   }
-  if (!SetHandleInformation((HANDLE) s, HANDLE_FLAG_INHERIT, 0)) {
-    report(req, GetLastError());
-    closesocket(s);
-    return;
-  }
   if (!start(s, req)) {
     closesocket(s);
     return;
   }
   handle->socket = s;
 }
"""


def test_deleting_a_whole_early_exit_branch_is_not_a_leak() -> None:
    assert findings("src/tcp.c", EXIT_BRANCH_DELETED, "generic.removed-release") == []


def test_deleting_only_the_release_from_an_exit_branch_is_still_flagged() -> None:
    change = (
        EXIT_BRANCH_DELETED.replace("-  if (!Set", "   if (!Set")
        .replace("-    report", "     report")
        .replace("-    return;\n-  }", "     return;\n   }")
    )
    assert flagged_lines("src/tcp.c", change, "generic.removed-release") == [8]


# --- generic.removed-guard: a rewrite that still raises did not make a failure silent ------

REWRITTEN_POP = """\
 class Context:
     def pop(self):
-        ctx = current.get()
-        current.reset(self.token)
-        if ctx is not self:
-            raise AssertionError("popped the wrong context")
+        if self.token is None:
+            raise RuntimeError("not pushed")
+        self.count -= 1
+        if self.count > 0:
+            return
+        current.reset(self.token)
"""


def test_a_rewritten_block_that_still_raises_is_not_a_raise_made_silent() -> None:
    assert findings("pkg/ctx.py", REWRITTEN_POP, "generic.removed-guard") == []


def test_a_raise_replaced_by_a_return_is_still_flagged() -> None:
    change = (
        " def pop(self):\n     ctx = current.get()\n     if ctx is not self:\n"
        '-        raise AssertionError("wrong context")\n+        return\n     current.reset()\n'
    )
    assert flagged_lines("pkg/ctx.py", change, "generic.removed-guard") == [4]


# --- generic.removed-scope: `with x: pass` ran nothing under the scope ---------------------


def test_removing_a_with_whose_body_was_pass_keeps_nothing() -> None:
    change = (
        " def index():\n     with app_ctx:\n-        with request_ctx:\n-            pass\n"
        "+        pass\n     return ''\n"
    )
    assert findings("app/views.py", change, "generic.removed-scope") == []


def test_removing_a_with_lock_around_real_work_is_still_flagged() -> None:
    change = (
        " def bump(self):\n-    with self.lock:\n-        self.count += 1\n+    self.count += 1\n"
        "     return self.count\n"
    )
    assert flagged_lines("app/counter.py", change, "generic.removed-scope") == [2]


# --- go.ignored-error: a new case copying the file's settled discard of the same call ------

SWITCH_COPY = """\
 package p
 func find(kind, s string) any {
 \tswitch kind {
 \tcase "stringSlice":
 \t\tres, _ := readAsCSV(s)
 \t\treturn res
+\tcase "boolSlice":
+\t\tres, _ := readAsCSV(s)
+\t\treturn toBools(res)
 \t}
 \treturn nil
 }
"""


def test_a_discard_the_file_already_makes_for_that_call_is_not_new() -> None:
    assert findings("p/find.go", SWITCH_COPY, "go.ignored-error") == []


def test_a_discard_of_a_call_the_file_does_not_discard_is_still_flagged() -> None:
    change = SWITCH_COPY.replace("+\t\tres, _ := readAsCSV(s)", "+\t\tres, _ := parseBools(s)")
    assert flagged_lines("p/find.go", change, "go.ignored-error") == [8]


# --- generic.dropped-parameter: the kept block already returned the same value -------------

NARROWED_RETURN = """\
 function parse(payload, ctx, inner) {
-  if (inner.optin === "optional") {
-    const result = inner.run(payload, ctx);
-    return handle(result);
-  }
   if (payload.value === undefined) {
-    return payload;
+    if (inner.optin !== "defaulted") return payload;
+    const result = inner.run(payload, ctx);
+    return handle(result);
   }
   return inner.run(payload, ctx);
 }
"""


def test_a_return_the_kept_block_already_made_is_not_new() -> None:
    assert findings("src/a.js", NARROWED_RETURN, "generic.dropped-parameter") == []


# --- py.debug-print: the functions a module's command line runs print for its user ---------

CLI_MODULE = """\
 import argparse
 def apply(runner):
     return runner.up()
+def _cmd_create(runner, args):
+    print(runner.create(args.name))
+def _parser():
+    parser = argparse.ArgumentParser()
+    parser.set_defaults(func=_cmd_create)
+    return parser
+def main(argv=None):
+    args = _parser().parse_args(argv)
+    return args.func(None, args)
 if __name__ == '__main__':
     main()
"""


def test_print_in_a_function_the_command_line_runs_is_output() -> None:
    assert findings("playhouse/migrations.py", CLI_MODULE, "py.debug-print") == []


def test_print_in_a_library_function_of_a_cli_module_is_still_flagged() -> None:
    change = CLI_MODULE.replace(
        "     return runner.up()", "+    print(runner)\n     return runner.up()"
    )
    assert flagged_lines("playhouse/migrations.py", change, "py.debug-print") == [3]


# --- generic.removed-guard: the condition extracted into a helper the new code tests -------

GUARD_EXTRACTED = """\
+def _is_implicit_id(field):
+    return type(field) is AutoField and field.name == 'id'
 def model_source(model):
     lines = []
     for field in model.fields:
-        if type(field) is AutoField and field.name == 'id':
-            continue
+        if _is_implicit_id(field):
+            continue
         lines.append(field.name)
     return lines
"""


def test_a_guard_extracted_into_a_helper_is_not_removed() -> None:
    assert findings("pkg/gen.py", GUARD_EXTRACTED, "generic.removed-guard") == []


def test_a_guard_deleted_outright_is_still_flagged() -> None:
    change = GUARD_EXTRACTED.replace(
        "+        if _is_implicit_id(field):\n+            continue\n", ""
    )
    assert flagged_lines("pkg/gen.py", change, "generic.removed-guard") == [6]


# --- generic.sql-injection: a loop over literal names splices constants --------------------


def test_sql_built_from_a_loop_over_literal_names_is_constant() -> None:
    change = (
        " def teardown(db):\n+    for table in ('sd_tag', 'sd_sku'):\n"
        "+        db.execute_sql('DROP TABLE IF EXISTS %s' % table)\n"
    )
    assert findings("app/clean.py", change, "generic.sql-injection") == []


def test_sql_built_from_a_loop_over_caller_names_is_still_flagged() -> None:
    change = (
        " def teardown(db, tables):\n+    for table in tables:\n"
        "+        db.execute_sql('DROP TABLE IF EXISTS %s' % table)\n"
    )
    assert flagged_lines("app/clean.py", change, "generic.sql-injection") == [3]


# --- generic.removed-release: the release moved into a helper named for it -----------------

FREE_HELPER = """\
 int cpu_info(info_t** out, int* count) {
   info_t* infos = calloc(n, sizeof(*infos));
   if (fill(infos) != 0)
     goto error;
   *out = infos;
   return 0;
  error:
   if (infos != NULL) {
-    for (i = 0; i < n; i++)
-      free(infos[i].model);
+    free_cpu_info(infos, n);
   }
-  free(infos);
   return -1;
 }
"""


def test_a_release_moved_into_a_helper_named_for_it_is_not_removed() -> None:
    assert findings("src/util.c", FREE_HELPER, "generic.removed-release") == []


def test_a_release_deleted_with_no_helper_is_still_flagged() -> None:
    change = FREE_HELPER.replace(
        "+    free_cpu_info(infos, n);\n", "+    log_cpu_info(infos, n);\n"
    )
    assert flagged_lines("src/util.c", change, "generic.removed-release") == [11]


REPLACED_CONDITION = (
    " class Context:\n     def pop(self):\n"
    '+        if self.token is None:\n+            raise RuntimeError("not pushed")\n'
    " \n"  # a kept blank line splits the two edits
    "         self.count -= 1\n"
    '-        if ctx is not self:\n-            raise AssertionError("popped the wrong context")\n'
    "+        if self.count > 0:\n+            return\n         current.reset(self.token)\n"
)


def test_a_raise_replaced_by_a_return_under_a_new_condition_is_a_rewrite() -> None:
    assert findings("pkg/ctx.py", REPLACED_CONDITION, "generic.removed-guard") == []


def test_a_raise_replaced_by_a_return_under_the_same_condition_is_still_flagged() -> None:
    change = (
        " def pop(self):\n-    if ctx is not self:\n-        raise AssertionError('wrong')\n"
        "+    if ctx is not self:\n+        return\n     current.reset()\n"
    )
    assert 3 in flagged_lines("pkg/ctx.py", change, "generic.removed-guard")
