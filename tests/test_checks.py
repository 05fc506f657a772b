"""The deterministic checks: each rule fires on added lines only, with exact spans and fixes."""

from __future__ import annotations

import difflib
import hashlib

import pytest
from tactful.analyzers.checks import ALL_RULES, RULES, run_checks, run_rules
from tactful.analyzers.checks.base import Hit, Rule, RuleInfo
from tactful.analyzers.fixes import apply_edits
from tactful.analyzers.languages import detect_language
from tactful.analyzers.model import (
    ChangeUnit,
    FileChange,
    FileStatus,
    Finding,
    Hunk,
    Severity,
    Span,
)


def change(path: str, annotated: str) -> tuple[FileChange, str]:
    """A one-hunk change from lines prefixed ``+`` (added), ``-`` (removed) or `` `` (kept)."""
    lines = annotated.split("\n")
    if lines[-1] == "":
        lines.pop()
    new: list[str] = []
    added: list[int] = []
    removed: list[int] = []
    old_count = 0
    for raw in lines:
        tag, text = raw[:1] or " ", raw[1:]
        if tag != "+":
            old_count += 1
        if tag == "-":
            removed.append(old_count)
            continue
        new.append(text)
        if tag == "+":
            added.append(len(new))
    hunk = Hunk(1, old_count, 1, len(new), "", tuple(added), tuple(removed), tuple(lines))
    return FileChange(path, path, FileStatus.MODIFIED, (hunk,)), "\n".join(new) + "\n"


def check(path: str, annotated: str, rule: str) -> tuple[list[Finding], str]:
    file, text = change(path, annotated)
    old = "".join(
        line[1:] + "\n"
        for line in annotated.removesuffix("\n").split("\n")
        if not line.startswith("+")
    )
    result = run_checks(file, (), text, detect_language(path), old_text=old)
    assert result.errors == ()
    return [f for f in result.findings if f.rule == rule], text


def unchanged(annotated: str) -> str:
    return "\n".join(
        " " + line[1:] if line.startswith("+") else line for line in annotated.split("\n")
    )


# (path, change, rule, flagged spans as (line, col, end_line, end_col), the file after the
# first finding's fix, or None when the rule offers no fix there)
POSITIVE = [
    pytest.param(
        "app/util.py",
        " import os\n+def f(a):\n+    print(a)\n+    return a\n",
        "py.debug-print",
        [(3, 4, 3, 12)],
        "import os\ndef f(a):\n    return a\n",
        id="py.debug-print",
    ),
    pytest.param(
        "app/util.py",
        " def f(a):\n+    print(a)\n",
        "py.debug-print",
        [(2, 4, 2, 12)],
        "def f(a):\n    pass\n",
        id="py.debug-print-only-statement",
    ),
    pytest.param(
        "app/util.py",
        " def f(a):\n+    breakpoint()\n     return a\n",
        "py.debugger",
        [(2, 4, 2, 16)],
        "def f(a):\n    return a\n",
        id="py.debugger",
    ),
    pytest.param(
        "app/util.py",
        " def f(a):\n+    import pdb; pdb.set_trace()\n     return a\n",
        "py.debugger",
        [(2, 16, 2, 31)],
        "def f(a):\n    return a\n",
        id="py.debugger-pdb-one-line",
    ),
    pytest.param(
        "m.py",
        " try:\n     go()\n+except:\n+    log()\n",
        "py.bare-except",
        [(3, 0, 3, 7)],
        "try:\n    go()\nexcept Exception:\n    log()\n",
        id="py.bare-except",
    ),
    pytest.param(
        "m.py",
        " try:\n     go()\n+except Exception as exc:\n+    pass\n",
        "py.swallowed-exception",
        [(3, 0, 3, 24)],
        None,
        id="py.swallowed-exception",
    ),
    pytest.param(
        "m.py",
        "+def f(items=[]):\n+    '''Doc.'''\n+    return items\n",
        "py.mutable-default",
        [(1, 12, 1, 14)],
        "def f(items=None):\n    '''Doc.'''\n    if items is None:\n        items = []\n    return items\n",
        id="py.mutable-default",
    ),
    pytest.param(
        "m.py",
        " class A:\n+\tdef f(self, d={}):\n+\t\treturn d\n",
        "py.mutable-default",
        [(2, 15, 2, 17)],
        "class A:\n\tdef f(self, d=None):\n\t\tif d is None:\n\t\t\td = {}\n\t\treturn d\n",
        id="py.mutable-default-tabs",
    ),
    pytest.param(
        "m.py",
        "+def f(d: dict = {}):\n+    return d\n",
        "py.mutable-default",
        [(1, 16, 1, 18)],
        None,
        id="py.mutable-default-annotated-no-fix",
    ),
    pytest.param(
        "m.py",
        " x = 1\n+ok = x != None\n",
        "py.none-comparison",
        [(2, 5, 2, 14)],
        "x = 1\nok = x is not None\n",
        id="py.none-comparison",
    ),
    pytest.param(
        "lib/login.py",
        "+def login(user, password):\n+    log.info('login %s %s', user, password)\n",
        "generic.secret-logged",
        [(2, 34, 2, 42)],
        None,
        id="generic.secret-logged",
    ),
    pytest.param(
        "lib/m.py",
        "+def area(width):\n+    assert width > 0\n+    return width\n",
        "generic.assert-validation",
        [(2, 4, 2, 20)],
        "def area(width):\n    if not width > 0:\n        raise ValueError('expected width > 0')\n"
        "    return width\n",
        id="generic.assert-validation",
    ),
    pytest.param(
        "web/a.js",
        " function f(a) {\n+  console.log(a);\n   return a;\n }\n",
        "js.console-log",
        [(2, 2, 2, 16)],
        "function f(a) {\n  return a;\n}\n",
        id="js.console-log",
    ),
    pytest.param(
        "web/a.ts",
        " const f = (a: number) =>\n+  console.debug(a);\n",
        "js.console-log",
        [(2, 2, 2, 18)],
        None,
        id="js.console-log-expression-no-fix",
    ),
    pytest.param(
        "web/a.tsx",
        " function f() {\n+  debugger;\n }\n",
        "js.debugger",
        [(2, 2, 2, 11)],
        "function f() {\n}\n",
        id="js.debugger",
    ),
    pytest.param(
        "web/a.js",
        " let a = 1;\n+if (a == '1') {}\n",
        "js.loose-equality",
        [(2, 4, 2, 12)],
        "let a = 1;\nif (a === '1') {}\n",
        id="js.loose-equality",
    ),
    pytest.param(
        "web/a.js",
        " try { go(); }\n+catch (e) {}\n",
        "js.empty-catch",
        [(2, 0, 2, 12)],
        None,
        id="js.empty-catch",
    ),
    pytest.param(
        "A.java",
        " class A { void m() {\n   try { go(); }\n+  catch (Exception e) { e.printStackTrace(); }\n } }\n",
        "java.print-stack-trace",
        [(3, 24, 3, 44)],
        None,
        id="java.print-stack-trace",
    ),
    pytest.param(
        "A.java",
        " class A { void m() {\n   try { go(); }\n+  catch (IOException e) {}\n } }\n",
        "java.empty-catch",
        [(3, 2, 3, 26)],
        None,
        id="java.empty-catch",
    ),
    pytest.param(
        "A.cs",
        " class A { void M() {\n   try { Go(); }\n+  catch (Exception) { }\n } }\n",
        "csharp.empty-catch",
        [(3, 2, 3, 23)],
        None,
        id="csharp.empty-catch",
    ),
    pytest.param(
        "a.cpp",
        " void f() {\n   try { go(); }\n+  catch (...) {}\n }\n",
        "cpp.empty-catch",
        [(3, 2, 3, 16)],
        None,
        id="cpp.empty-catch",
    ),
    pytest.param(
        "a.php",
        " <?php\n try { go(); }\n+catch (Exception $e) {}\n",
        "php.empty-catch",
        [(3, 0, 3, 23)],
        None,
        id="php.empty-catch",
    ),
    pytest.param(
        "a.php",
        " <?php\n function f($x) {\n+    var_dump($x);\n     return $x;\n }\n",
        "php.debug-dump",
        [(3, 4, 3, 16)],
        "<?php\nfunction f($x) {\n    return $x;\n}\n",
        id="php.debug-dump",
    ),
    pytest.param(
        "a.rb",
        " def f(x)\n+  binding.pry\n   x\n end\n",
        "ruby.debugger",
        [(2, 2, 2, 13)],
        "def f(x)\n  x\nend\n",
        id="ruby.debugger",
    ),
    pytest.param(
        "a.rb",
        " def f(x)\n+  byebug\n   x\n end\n",
        "ruby.debugger",
        [(2, 2, 2, 8)],
        "def f(x)\n  x\nend\n",
        id="ruby.byebug",
    ),
    pytest.param(
        "a.rb",
        " def f(x)\n+  Integer(x) rescue nil\n end\n",
        "ruby.swallowed-rescue",
        [(2, 2, 2, 23)],
        None,
        id="ruby.rescue-nil",
    ),
    pytest.param(
        "a.rb",
        " begin\n   go\n+rescue StandardError\n end\n",
        "ruby.swallowed-rescue",
        [(3, 0, 3, 20)],
        None,
        id="ruby.empty-rescue",
    ),
    pytest.param(
        "a.rs",
        " fn f(x: i32) -> i32 {\n+    dbg!(x);\n     x\n }\n",
        "rust.dbg-macro",
        [(2, 4, 2, 11)],
        "fn f(x: i32) -> i32 {\n    x\n}\n",
        id="rust.dbg-remove",
    ),
    pytest.param(
        "a.rs",
        " fn f(x: i32) -> i32 {\n+    let y = dbg!(x * 2);\n     y\n }\n",
        "rust.dbg-macro",
        [(2, 12, 2, 23)],
        "fn f(x: i32) -> i32 {\n    let y = x * 2;\n    y\n}\n",
        id="rust.dbg-unwrap",
    ),
    pytest.param(
        "a.go",
        " package p\n func f(s string) int {\n+\tv, _ := strconv.Atoi(s)\n \treturn v\n }\n",
        "go.ignored-error",
        [(3, 1, 3, 24)],
        None,
        id="go.ignored-error",
    ),
    pytest.param(
        "a.go",
        " package p\n func f() {\n \tx, err := g()\n-\tif err != nil {\n-\t\treturn\n-\t}\n \tuse(x)\n }\n",
        "go.removed-err-check",
        [(3, 1, 3, 14)],
        None,
        id="go.removed-err-check",
    ),
    pytest.param(
        "a.go",
        " package p\n func f() {\n \tx, err := g()\n-\tif err != nil {\n-\t\treturn\n-\t}\n \ty, err := h(x)\n \tuse(y, err)\n }\n",
        "go.removed-err-check",
        [(3, 1, 3, 14)],
        None,
        id="go.removed-err-check-overwritten",
    ),
    pytest.param(
        "a.go",
        " package p\n func f() (*W, error) {\n \tx, err := g()\n-\tif err != nil {\n-\t\treturn nil, err\n-\t}\n \treturn &W{x}, err\n }\n",
        "go.removed-err-check",
        [(3, 1, 3, 14)],
        None,
        id="go.removed-err-check-result-handed-out",
    ),
    pytest.param(
        "a.go",
        " package p\n func f(s string) int {\n-\tv, err := strconv.Atoi(s)\n+\tv, _ := strconv.Atoi(s)\n \treturn v\n }\n",
        "go.ignored-error",
        [(3, 1, 3, 24)],
        None,
        id="go.ignored-error-introduced",
    ),
    pytest.param(
        "src/C.cs",
        " class C {\n   void Read(string s) {\n-    using (var reader = new Reader(s))\n-    {\n-      reader.Load();\n-    }\n"
        "+    var reader = new Reader(s);\n+    reader.Load();\n   }\n }\n",
        "generic.removed-scope",
        [(3, 4, 3, 31)],
        None,
        id="generic.removed-scope",
    ),
    pytest.param(
        "a.py",
        " def f(verify, cert):\n     ctx = new()\n+    if not verify:\n+        return ctx\n     ctx.load(cert)\n     return ctx\n",
        "generic.dropped-parameter",
        [(4, 8, 4, 18)],
        None,
        id="generic.dropped-parameter",
    ),
    pytest.param(
        "src/Factory.php",
        "<?php\n function apply($request, array &$conf) {\n     $size = $request->size();\n"
        "     $conf[CURLOPT_UPLOAD] = true;\n-    $conf[CURLOPT_INFILESIZE] = $size;\n"
        "     $conf[CURLOPT_READFUNCTION] = reader($request, $size);\n }\n",
        "generic.dropped-option",
        [(4, 0, 5, 0)],
        None,
        id="generic.dropped-option",
    ),
    pytest.param(
        "a.py",
        " def f(user, guest):\n-    if user is None:\n+    if user is None and guest is None:\n"
        "         return ''\n     return user.name\n",
        "generic.weakened-guard",
        [(2, 7, 2, 37)],
        None,
        id="generic.weakened-guard",
    ),
    pytest.param(
        "a.py",
        " def f(user):\n-    if user is None:\n-        return\n     return user.name\n",
        "generic.removed-guard",
        [(2, 4, 2, 20)],
        None,
        id="generic.removed-guard",
    ),
    pytest.param(
        "a.c",
        " #include <string.h>\n void f(const char *s) {\n   char buf[16];\n+  strcpy(buf, s);\n }\n",
        "c.unbounded-copy",
        [(4, 2, 4, 16)],
        None,
        id="c.unbounded-copy",
    ),
    pytest.param(
        "a.c",
        " void f(void) {\n   char buf[16];\n+  gets(buf);\n }\n",
        "c.gets",
        [(3, 2, 3, 11)],
        None,
        id="c.gets",
    ),
    pytest.param(
        "config/settings.yaml",
        " name: demo\n+aws_key: AKIAZ7QW3ERT5YUI8OPA\n",
        "generic.secret",
        [(2, 9, 2, 29)],
        None,
        id="generic.secret-aws",
    ),
    pytest.param(
        "k.pem",
        "+-----BEGIN RSA PRIVATE KEY-----\n+MIIEow\n",
        "generic.secret",
        [(1, 0, 1, 31)],
        None,
        id="generic.secret-private-key",
    ),
    pytest.param(
        "a.py",
        ' import os\n+API_KEY = "q8Zr2LmX0pT7vWc4Nd9s"\n',
        "generic.secret",
        [(2, 11, 2, 31)],
        None,
        id="generic.secret-assignment",
    ),
    pytest.param(
        "app/db.py",
        ' import os\n+DSN = "postgres://app:Qm4x9Lp2@db.internal:5432/app"\n',
        "generic.hardcoded-credential",
        [(2, 22, 2, 30)],
        None,
        id="generic.hardcoded-credential-url",
    ),
    pytest.param(
        "notes.txt",
        " a\n+<<<<<<< HEAD\n+ours\n+=======\n+theirs\n+>>>>>>> topic\n",
        "generic.merge-conflict",
        [(2, 0, 2, 12), (4, 0, 4, 7), (6, 0, 6, 13)],
        None,
        id="generic.merge-conflict",
    ),
    pytest.param(
        "a.go",
        " package p\n+// TODO: retry on timeout\n",
        "generic.todo-no-reference",
        [(2, 3, 2, 25)],
        None,
        id="generic.todo-no-reference",
    ),
    pytest.param(
        "a.py",
        " x = 1\n+# y = compute(x)\n+# print(y)\n z = 2\n",
        "generic.commented-out-code",
        [(2, 0, 3, 10)],
        "x = 1\nz = 2\n",
        id="generic.commented-out-code",
    ),
    pytest.param(
        "lib/a.c",
        ' int f(int a) {\n+  printf("a=%d\\n", a);\n   return a;\n }\n',
        "c.debug-print",
        [(2, 2, 2, 21)],
        "int f(int a) {\n  return a;\n}\n",
        id="c.debug-print",
    ),
    pytest.param(
        "lib/a.c",
        ' int f(int a) {\n+  fprintf(stderr, "a=%d\\n", a);\n   return a;\n }\n',
        "c.debug-print",
        [(2, 2, 2, 30)],
        "int f(int a) {\n  return a;\n}\n",
        id="c.debug-print-stderr",
    ),
    pytest.param(
        "lib/a.cpp",
        ' int f(int a) {\n+  std::cout << "a=" << a << std::endl;\n   return a;\n }\n',
        "c.debug-print",
        [(2, 2, 2, 37)],
        "int f(int a) {\n  return a;\n}\n",
        id="cpp.debug-print-cout",
    ),
    pytest.param(
        "pkg/a.go",
        " package p\n func f(a int) int {\n+\tfmt.Println(a)\n \treturn a\n }\n",
        "go.debug-print",
        [(3, 1, 3, 15)],
        "package p\nfunc f(a int) int {\n\treturn a\n}\n",
        id="go.debug-print",
    ),
    pytest.param(
        "A.java",
        " class A { int m(int a) {\n+    System.out.println(a);\n     return a; } }\n",
        "java.debug-print",
        [(2, 4, 2, 25)],
        "class A { int m(int a) {\n    return a; } }\n",
        id="java.debug-print",
    ),
    pytest.param(
        "A.java",
        " class A { int m(Exception e) {\n+    e.printStackTrace();\n     return 1; } }\n",
        "java.debug-stack-trace",
        [(2, 4, 2, 23)],
        None,
        id="java.debug-stack-trace",
    ),
    pytest.param(
        "A.cs",
        " class A { int M(int a) {\n+    Console.WriteLine(a);\n     return a; } }\n",
        "csharp.debug-print",
        [(2, 4, 2, 24)],
        "class A { int M(int a) {\n    return a; } }\n",
        id="csharp.debug-print",
    ),
    pytest.param(
        "src/lib.rs",
        ' fn f(a: i32) -> i32 {\n+    println!("{}", a);\n     a\n }\n',
        "rust.debug-print",
        [(2, 4, 2, 21)],
        "fn f(a: i32) -> i32 {\n    a\n}\n",
        id="rust.debug-print",
    ),
    pytest.param(
        "lib/a.rb",
        " def f(a)\n+  p a\n   a\n end\n",
        "ruby.debug-print",
        [(2, 2, 2, 5)],
        "def f(a)\n  a\nend\n",
        id="ruby.debug-print-p",
    ),
    pytest.param(
        "lib/a.rb",
        " def f(a)\n+  puts a\n end\n",
        "ruby.debug-print",
        [(2, 2, 2, 8)],
        None,
        id="ruby.debug-print-last-no-fix",
    ),
    pytest.param(
        "a.php",
        " <?php\n function f($x) {\n+    error_log(print_r($x, true));\n     return $x;\n }\n",
        "php.error-log-dump",
        [(3, 4, 3, 32)],
        "<?php\nfunction f($x) {\n    return $x;\n}\n",
        id="php.error-log-dump",
    ),
    pytest.param(
        "app/api_client.py",
        " def f(a):\n+    print(a)\n     return a\n",
        "py.debug-print",
        [(2, 4, 2, 12)],
        "def f(a):\n    return a\n",
        id="py.debug-print-client-module",
    ),
    pytest.param(
        "web/a.js",
        " function f(a) {\n+  console.log(a);\n   return a;\n }\n",
        "js.console-log",
        [(2, 2, 2, 16)],
        "function f(a) {\n  return a;\n}\n",
        id="js.console-log-lib",
    ),
    pytest.param(
        "m.py",
        " for x in xs:\n     try:\n         go(x)\n+    except:\n+        continue\n",
        "py.bare-except",
        [(4, 4, 4, 11)],
        None,
        id="py.bare-except-swallowing-no-fix",
    ),
]


@pytest.mark.parametrize(("path", "annotated", "rule", "spans", "fixed"), POSITIVE)
def test_rule_flags_added_code(
    path: str, annotated: str, rule: str, spans: list, fixed: str | None
) -> None:
    findings, text = check(path, annotated, rule)
    assert [
        (f.span.start_line, f.span.start_col, f.span.end_line, f.span.end_col) for f in findings
    ] == spans
    first = findings[0]
    assert first.severity is RULES[rule].severity and first.category == RULES[rule].category
    assert first.message.endswith(".") and "\n" not in first.message
    if fixed is None:
        assert first.fix is None
    else:
        assert first.fix is not None
        assert apply_edits(text, first.fix.edits) == fixed


@pytest.mark.parametrize(("path", "annotated", "rule", "spans", "fixed"), POSITIVE)
def test_rule_ignores_the_same_code_on_unchanged_lines(
    path: str, annotated: str, rule: str, spans: list, fixed: str | None
) -> None:
    if rule in ("go.removed-err-check", "generic.removed-guard"):
        annotated = annotated.replace("-", " ")  # the check is kept: nothing was removed
    if rule == "generic.dropped-option":  # the option is kept (`->` must survive: PHP)
        lines = annotated.split("\n")
        annotated = "\n".join(" " + x[1:] if x.startswith("-") else x for x in lines)
    findings, _ = check(path, unchanged(annotated) + "\n+\n", rule)
    assert findings == []


NEGATIVE = [
    pytest.param(
        "a.py",
        " import sys\n+def f(a):\n+    print(a, file=sys.stderr)\n",
        "py.debug-print",
        id="print-to-stderr",
    ),
    pytest.param(
        "a.py",
        "+if __name__ == '__main__':\n+    print('hi')\n",
        "py.debug-print",
        id="print-in-main-guard",
    ),
    pytest.param(
        "tool.py",
        " print('usage')\n+print('more output')\n",
        "py.debug-print",
        id="file-that-prints",
    ),
    pytest.param("scripts/run.py", "+print('x')\n", "py.debug-print", id="script"),
    pytest.param(
        "a.py",
        " try:\n     go()\n+except KeyError:\n+    pass\n",
        "py.swallowed-exception",
        id="narrow-except",
    ),
    pytest.param(
        "a.py",
        " try:\n     go()\n+except Exception:\n+    pass  # best effort\n",
        "py.swallowed-exception",
        id="commented",
    ),
    pytest.param(
        "a.py",
        "+def f(a=(), b=None, c=frozenset()):\n+    return a\n",
        "py.mutable-default",
        id="immutable-defaults",
    ),
    pytest.param(
        "tests/test_a.py",
        "+def test_f(a):\n+    assert a > 0\n",
        "generic.assert-validation",
        id="assert-in-test",
    ),
    pytest.param(
        "a.py",
        "+def f(a):\n+    assert isinstance(a, int)\n",
        "generic.assert-validation",
        id="isinstance-narrowing",
    ),
    pytest.param(
        "a.py", "+def _f(a):\n+    assert a > 0\n", "generic.assert-validation", id="private-helper"
    ),
    pytest.param(
        "a.js",
        " let a;\n+if (a == null) {}\n+if (typeof a == 'string') {}\n",
        "js.loose-equality",
        id="null-and-typeof",
    ),
    pytest.param("a.js", "+console.error('failed');\n", "js.console-log", id="console-error"),
    pytest.param("pkg/cli.py", "+def f(a):\n+    print(a)\n", "py.debug-print", id="cli-module"),
    pytest.param(
        "pkg/cli/run.py", "+def f(a):\n+    print(a)\n", "py.debug-print", id="cli-package"
    ),
    pytest.param(
        "pkg/tool_cli.py", "+def f(a):\n+    print(a)\n", "py.debug-print", id="suffix-cli-module"
    ),
    pytest.param(
        "bench/run.js", "+console.log(Date.now() - start);\n", "js.console-log", id="js-benchmark"
    ),
    pytest.param("tools/gen.js", "+console.log('wrote', n);\n", "js.console-log", id="js-tool"),
    pytest.param("src/a.test.js", "+console.log(x);\n", "js.console-log", id="js-test"),
    pytest.param(
        "lib/a.js",
        " console.log('ready');\n+console.log('done');\n",
        "js.console-log",
        id="js-file-that-logs",
    ),
    pytest.param(
        "lib/a.js",
        " #!/usr/bin/env node\n+console.log('done');\n",
        "js.console-log",
        id="js-shebang",
    ),
    pytest.param(
        "src/a.c",
        ' int main(void) {\n+  printf("hi\\n");\n   return 0;\n }\n',
        "c.debug-print",
        id="c-main",
    ),
    pytest.param(
        "src/a.c",
        ' void g(void) { printf("x"); }\n void f(void) {\n+  printf("y");\n }\n',
        "c.debug-print",
        id="c-file-that-prints",
    ),
    pytest.param(
        "src/a.c",
        ' void f(FILE *fp) {\n+  fprintf(fp, "%d\\n", 1);\n }\n',
        "c.debug-print",
        id="c-fprintf-to-file",
    ),
    pytest.param(
        "src/a.cpp",
        " void f(std::ostream &os) {\n+  os << 1 << std::endl;\n }\n",
        "c.debug-print",
        id="cpp-other-stream",
    ),
    pytest.param(
        "main.go",
        " package main\n func f() {\n+\tfmt.Println(1)\n }\n",
        "go.debug-print",
        id="go-package-main",
    ),
    pytest.param(
        "p/a.go",
        ' package p\n func f(w io.Writer) {\n+\tfmt.Fprintf(w, "%d", 1)\n }\n',
        "go.debug-print",
        id="go-fprintf-writer",
    ),
    pytest.param(
        "p/a_test.go",
        " package p\n func TestF(t *testing.T) {\n+\tfmt.Println(1)\n }\n",
        "go.debug-print",
        id="go-test",
    ),
    pytest.param(
        "A.java",
        " class A { public static void main(String[] a) {\n+    System.out.println(1);\n } }\n",
        "java.debug-print",
        id="java-main",
    ),
    pytest.param(
        "A.java",
        " class A { void m() { try { go(); }\n+catch (Exception e) { e.printStackTrace(); }\n } }\n",
        "java.debug-stack-trace",
        id="stack-trace-only-in-catch",
    ),
    pytest.param(
        "A.java",
        " class A { void m(Exception e, PrintWriter w) {\n+    e.printStackTrace(w);\n } }\n",
        "java.debug-stack-trace",
        id="stack-trace-to-writer",
    ),
    pytest.param(
        "A.cs",
        " class A { static void Main() {\n+    Console.WriteLine(1);\n } }\n",
        "csharp.debug-print",
        id="csharp-main",
    ),
    pytest.param(
        "src/main.rs",
        ' fn run() {\n+    println!("hi");\n }\n',
        "rust.debug-print",
        id="rust-main-file",
    ),
    pytest.param(
        "examples/demo.rs",
        ' fn run() {\n+    println!("hi");\n }\n',
        "rust.debug-print",
        id="rust-example",
    ),
    pytest.param(
        "lib/a.rb",
        " def f(a)\n+  x = p(a)\n   x\n end\n",
        "ruby.debug-print",
        id="ruby-p-value-used",
    ),
    pytest.param("exe/tool", " def f(a)\n+  puts a\n end\n", "ruby.debug-print", id="ruby-exe"),
    pytest.param(
        "a.php",
        " <?php\n+error_log('payment failed for ' . $id);\n",
        "php.error-log-dump",
        id="php-error-log-message",
    ),
    pytest.param(
        "lib/p.js",
        " P.prototype._debugPacket = function (p) {\n+  console.log('%s', p);\n };\n",
        "js.console-log",
        id="js-debug-function",
    ),
    pytest.param(
        "lib/m.py",
        " def print_usage():\n+    print('usage: x')\n",
        "py.debug-print",
        id="py-print-function",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func dumpState(s S) {\n+\tfmt.Println(s)\n }\n",
        "go.debug-print",
        id="go-dump-function",
    ),
    pytest.param(
        "a.py",
        " try:\n     go()\n+except:\n+    log()\n",
        "py.swallowed-exception",
        id="bare-except-is-not-swallowed-exception",
    ),
    pytest.param(
        "a.js",
        " try { go(); }\n+catch (e) { /* optional feature */ }\n",
        "js.empty-catch",
        id="commented-catch",
    ),
    pytest.param(
        "A.java",
        " class A { void m() { try { go(); }\n+catch (Exception ignored) {}\n } }\n",
        "java.empty-catch",
        id="ignored-name",
    ),
    pytest.param(
        "a.php", " <?php\n+$s = print_r($x, true);\n", "php.debug-dump", id="print_r-return"
    ),
    pytest.param(
        "a.rb",
        " begin\n   go\n+rescue Timeout::Error\n end\n",
        "ruby.swallowed-rescue",
        id="specific-rescue",
    ),
    pytest.param(
        "a.go",
        ' package p\n func f(m map[string]int) {\n+\tv, _ := m["k"]\n+\tw, _ := os.LookupEnv("X")\n \t_, _ = v, w\n }\n',
        "go.ignored-error",
        id="map-and-lookup",
    ),
    pytest.param(
        "a.go",
        " package p\n func f() {\n \tx, err := g()\n-\tif err != nil {\n+\tif err != nil && x > 0 {\n \t\treturn\n \t}\n }\n",
        "go.removed-err-check",
        id="rewritten-check",
    ),
    pytest.param(
        "a.go",
        " package p\n func f() {\n \tx, err := g()\n-\tif err != nil {\n-\t\treturn\n-\t}\n \tlog(err)\n \tuse(x)\n }\n",
        "go.removed-err-check",
        id="error-still-read",
    ),
    pytest.param(
        "a.go",
        " package p\n func f() (*W, error) {\n \t_, err := g()\n-\tif err != nil {\n-\t\treturn nil, err\n-\t}\n \treturn &W{}, err\n }\n",
        "go.removed-err-check",
        id="error-returned-alone",
    ),
    pytest.param(
        "a.go",
        " package p\n func f() {\n \tx, err := g()\n-\tif err != nil {\n-\t\treturn\n-\t}\n \terr = wrap(err)\n \tuse(x, err)\n }\n",
        "go.removed-err-check",
        id="error-wrapped-before-overwrite",
    ),
    pytest.param(
        "a.go",
        ' package p\n func f(w io.Writer) {\n+\t_, _ = fmt.Fprintf(w, "x")\n }\n',
        "go.ignored-error",
        id="all-blank-discard",
    ),
    pytest.param(
        "a_test.go",
        " package p\n func TestF(t *testing.T) {\n+\tb, _ := f.Format(e)\n \tuse(b)\n }\n",
        "go.ignored-error",
        id="discard-in-test",
    ),
    pytest.param(
        "a.go",
        " package p\n func f() {\n \tl = time.Local\n-\tif l != nil {\n-\t\treturn\n-\t}\n \tl = time.UTC\n }\n",
        "go.removed-err-check",
        id="not-an-error-variable",
    ),
    pytest.param(
        "a.go",
        ' package p\n func f(w io.Writer) {\n+\t_ = w.Close()\n+\t_ = os.Remove("x")\n }\n',
        "go.ignored-error",
        id="explicit-discard",
    ),
    pytest.param(
        "a.go",
        " package p\n func f(s string) int {\n-\tv, _ := strconv.Atoi(s)\n+\tv, _ := strconv.Atoi(str)\n \treturn v\n }\n",
        "go.ignored-error",
        id="argument-rename",
    ),
    pytest.param(
        "a.c",
        ' void f(const char *s) {\n   char buf[16];\n+  strcpy(buf, "ok");\n+  strcpy(dest, s);\n }\n',
        "c.unbounded-copy",
        id="literal-fits-and-unknown-dest",
    ),
    pytest.param(
        "a.py",
        "+AWS = 'AKIAIOSFODNN7EXAMPLE'\n+password = 'your-password-here-please'\n",
        "generic.secret",
        id="placeholders",
    ),
    pytest.param("README.rst", "+Title\n+=======\n", "generic.merge-conflict", id="rst-underline"),
    pytest.param(
        "a.py",
        "+# TODO(alice): retry\n+# FIXME #123\n+# XXX see https://example.com/x\n",
        "generic.todo-no-reference",
        id="todo-with-refs",
    ),
    pytest.param(
        "a.py",
        "+# Compute the total of the\n+# items (in cents).\n",
        "generic.commented-out-code",
        id="prose-comment",
    ),
    pytest.param(
        "a.py",
        "+x = 1  # y = 2\n+z = 3  # w = 4\n",
        "generic.commented-out-code",
        id="trailing-comments",
    ),
]


@pytest.mark.parametrize(("path", "annotated", "rule"), NEGATIVE)
def test_rule_stays_quiet_where_a_reviewer_would(path: str, annotated: str, rule: str) -> None:
    assert check(path, annotated, rule)[0] == []


def test_every_rule_has_a_positive_case_and_the_catalogue_is_wide() -> None:
    from test_rules_errors import POSITIVE as ERRORS
    from test_rules_injection import POSITIVE as INJECTION
    from test_rules_leaks import POSITIVE as LEAKS
    from test_rules_logic import POSITIVE as LOGIC

    covered = {p.values[2] for p in (*POSITIVE, *ERRORS, *INJECTION, *LEAKS, *LOGIC)}
    assert set(RULES) <= covered
    assert len(RULES) >= 12
    languages = {lang for info in RULES.values() for lang in info.languages}
    assert len(languages) >= 6
    for rule_id, info in RULES.items():
        prefix = rule_id.split(".", 1)[0]
        assert prefix in {
            "py",
            "js",
            "go",
            "java",
            "c",
            "cpp",
            "csharp",
            "ruby",
            "php",
            "rust",
            "generic",
        }
        assert info.id == rule_id and info.summary


def test_findings_carry_unit_code_and_fingerprint() -> None:
    file, text = change(
        "svc/cache.py",
        " class Cache:\n     def get(self, key):\n+        print(key)\n         return key\n",
    )
    unit = ChangeUnit(
        "svc/cache.py",
        "python",
        "method",
        "Cache.get",
        Span.lines(2, 2),
        Span.lines(2, 4),
        "",
        "",
        (3,),
        (),
        "def get(self, key):",
    )
    outer = ChangeUnit(
        "svc/cache.py",
        "python",
        "class",
        "Cache",
        Span.lines(1, 2),
        Span.lines(1, 4),
        "",
        "",
        (3,),
        (),
    )
    (finding,) = run_checks(file, (outer, unit), text, "python").findings
    assert (finding.rule, finding.unit, finding.code, finding.path) == (
        "py.debug-print",
        "Cache.get",
        "print(key)",
        "svc/cache.py",
    )
    assert finding.source == "checks" and len(finding.fingerprint) == 16


def test_secret_findings_do_not_carry_the_secret() -> None:
    findings, _ = check(
        "a.env", "+TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB\n", "generic.secret"
    )
    assert len(findings) == 1
    assert "ghp_" not in findings[0].code and findings[0].code.startswith("GitHub token:")


def test_disabled_rules_and_globs_are_skipped() -> None:
    file, text = change("a.py", "+def f(a=[]):\n+    print(a)\n")
    rules = {f.rule for f in run_checks(file, (), text, "python").findings}
    assert {"py.debug-print", "py.mutable-default"} <= rules
    only = run_checks(file, (), text, "python", disabled=frozenset({"py.debug-print"})).findings
    assert "py.debug-print" not in {f.rule for f in only}
    assert run_checks(file, (), text, "python", disabled=frozenset({"py.*"})).findings == ()


def test_a_crashing_rule_is_reported_and_the_others_still_run() -> None:
    def explode(ctx: object) -> list[Hit]:
        raise KeyError("boom")

    broken = Rule(
        RuleInfo("py.broken", ("python",), Severity.INFO, "style", "always crashes"), explode
    )
    file, text = change("x.py", "+breakpoint()\n")
    result = run_rules((broken, *ALL_RULES), file, (), text, "python")
    assert result.errors == ("py.broken crashed on x.py: KeyError: 'boom'",)
    assert [f.rule for f in result.findings] == ["py.debugger"]


def test_unknown_language_still_gets_generic_rules_only() -> None:
    file, text = change("Makefile", "+<<<<<<< ours\n+\tprint(x)\n+>>>>>>> theirs\n")
    result = run_checks(file, (), text, None)
    assert {f.rule for f in result.findings} == {"generic.merge-conflict"}


def test_parse_diff_output_feeds_run_checks() -> None:
    # Imported here so the other tests still run while diff.py is being changed.
    from tactful.analyzers.diff import parse_diff

    old = "def f(a):\n    return a\n"
    new = "def f(a, cache={}):\n    return a\n"
    patch = "".join(
        difflib.unified_diff(old.splitlines(True), new.splitlines(True), "a/m.py", "b/m.py")
    )
    (file,) = parse_diff(patch).files
    (finding,) = run_checks(file, (), new, "python").findings
    assert finding.rule == "py.mutable-default" and finding.span == Span(1, 15, 1, 17)


def test_identical_findings_in_one_unit_get_distinct_stable_fingerprints() -> None:
    body = "".join("+    print(a)\n" for _ in range(5))
    file, text = change("svc/m.py", " def f(a):\n" + body + "     return a\n")
    first = run_checks(file, (), text, "python").findings
    assert [f.occurrence for f in first] == [0, 1, 2, 3, 4]
    assert len({f.fingerprint for f in first}) == 5
    # An unrelated edit above shifts every line; the fingerprints stay the same.
    file, text = change("svc/m.py", "+import os\n def f(a):\n" + body + "     return a\n")
    moved = [f for f in run_checks(file, (), text, "python").findings if f.rule == "py.debug-print"]
    assert [f.fingerprint for f in moved] == [f.fingerprint for f in first]
    # The first occurrence hashes as a lone finding did before occurrences existed.
    old_key = "\x1f".join(("svc/m.py", "py.debug-print", "", "print(a)"))
    assert first[0].fingerprint == hashlib.sha256(old_key.encode()).hexdigest()[:16]


@pytest.mark.parametrize(
    ("body", "leaks"),
    [
        ("+    items.append(1)\n", True),
        ("+    items[0] = 1\n", True),
        ("+    items += [1]\n", True),
        ("+    del items[0]\n", True),
        ("+    return items\n", True),
        ("+    self.items = items\n", True),
        ("+    keep(items)\n", True),
        ("+    alias = items\n", True),
        ("+    for item in items:\n+        print(item)\n", False),
        ("+    if not items or len(items) > 3:\n+        return None\n", False),
        ("+    items = [i for i in items if i]\n", False),
        ("+    return sorted(items) + [x for x in items]\n", False),
        ("+    return items.copy()\n", False),
    ],
)
def test_mutable_default_that_is_only_read_is_advice_not_a_defect(body: str, leaks: bool) -> None:
    (finding,) = check("m.py", "+def f(self, items=[]):\n" + body, "py.mutable-default")[0]
    assert ("only reads it" not in finding.message) is leaks
    assert (finding.confidence == 1.0) is leaks
