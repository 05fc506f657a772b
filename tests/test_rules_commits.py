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
