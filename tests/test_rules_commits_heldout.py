"""Precision regressions found on the held-out commits of ``bench/commits.py --skip 30``.

Each case is the general shape of a finding labelled wrong or nit in the held-out table of
``bench/corpus/commit_verdicts.md``, next to the shape the rule must keep flagging.
"""

from __future__ import annotations

from rules_support import findings, flagged_lines

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


# --- generic.dropped-parameter: an inverted one-line condition made an early return --------


def test_a_one_line_conditional_use_inverted_into_an_early_return_is_not_dropped() -> None:
    change = (
        " function prefault(schema, ctx, json) {\n     process(schema, ctx);\n"
        '-    if (ctx.io === "input") json.prefault = encode(schema);\n'
        '+    if (ctx.io !== "input") return;\n+    json.prefault = encode(schema);\n }\n'
    )
    assert findings("src/p.js", change, "generic.dropped-parameter") == []
