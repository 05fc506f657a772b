"""generic.assert-validation: an added assertion that validates a public function's argument,
which `python -O`, the JVM without -ea and C# release builds drop; internal invariants,
private helpers, tests and type narrowing stay silent."""

from __future__ import annotations

import pytest
from rules_support import fixed, flagged_lines

RULE = "generic.assert-validation"
JAVA_PUBLIC = ' class A {\n   public int m(int a) {\n+    assert a > 0 : "positive";\n     return a;\n   }\n }\n'
CS_PUBLIC = ' class A {\n   public int M(int a) {\n+    Debug.Assert(a > 0, "positive");\n     return a;\n   }\n }\n'


@pytest.mark.parametrize(
    ("path", "annotated", "lines"),
    [
        pytest.param("pkg/a.py", " def f(a, b):\n+    assert a > 0, 'positive'\n     return a\n", [2], id="py"),
        pytest.param(
            "pkg/a.py", ' def f(a):\n     """Doc."""\n+    assert a is not None\n     return a\n', [3],
            id="py-after-docstring",
        ),
        pytest.param(
            "pkg/a.py", " class C:\n     def m(self, a):\n+        assert a\n         return a\n", [3],
            id="py-method",
        ),
        pytest.param("src/A.java", JAVA_PUBLIC, [3], id="java-public"),
        pytest.param("src/A.java", JAVA_PUBLIC.replace("public", "private"), [], id="java-private"),
        pytest.param("src/A.cs", CS_PUBLIC, [3], id="csharp-debug-assert"),
        pytest.param("src/A.cs", CS_PUBLIC.replace("a > 0", "count > 0"), [], id="csharp-not-a-param"),
        pytest.param("pkg/a.py", " def _f(a):\n+    assert a > 0\n     return a\n", [], id="private-helper"),
        pytest.param(
            "pkg/a.py", " def f(a):\n     a = int(a)\n+    assert a > 0\n     return a\n", [],
            id="after-the-work",
        ),
        pytest.param(
            "pkg/a.py", " class C:\n     def m(self, a):\n+        assert self.ready\n         return a\n", [],
            id="own-state",
        ),
        pytest.param(
            "pkg/a.py", " class _C:\n     def m(self, a):\n+        assert a\n         return a\n", [],
            id="private-class",
        ),
        pytest.param(
            "pkg/a.py", " def f(a):\n     def g(b):\n+        assert b\n         return b\n     return g\n",
            [], id="nested-function",
        ),
        pytest.param("pkg/a.py", " def f(a):\n+    assert isinstance(a, int)\n     return a\n", [], id="narrowing"),
        pytest.param("tests/test_a.py", " def f(a):\n+    assert a > 0\n     return a\n", [], id="test"),
        pytest.param("c/a.c", " int f(int a) {\n+  assert(a > 0);\n   return a;\n }\n", [], id="c-contract"),
    ],
)  # fmt: skip
def test_assertions_that_validate_arguments(path: str, annotated: str, lines: list[int]) -> None:
    assert flagged_lines(path, annotated, RULE) == lines


def test_the_python_fix_raises_with_the_assert_message() -> None:
    annotated = " def f(a, b):\n+    assert a > 0 and b, 'a must be positive'\n     return a\n"
    assert fixed("pkg/a.py", annotated, RULE) == (
        "def f(a, b):\n    if not (a > 0 and b):\n        raise ValueError('a must be positive')\n"
        "    return a\n"
    )


def test_java_and_csharp_get_no_fix() -> None:
    assert fixed("src/A.java", JAVA_PUBLIC, RULE) is None
