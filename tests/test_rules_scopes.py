"""A with/using/try-with-resources the change removed while keeping what it managed."""

from __future__ import annotations

import pytest
from rules_support import flagged_lines

RULE = "generic.removed-scope"

PY_TX = (
    " class T:\n     def update(self, sql, args):\n"
    "-        with self.db.conn:\n"
    "-            rowcount = self.db.execute(sql, args).rowcount\n"
    "-            assert rowcount == 1\n"
    "+        rowcount = self.db.execute(sql, args).rowcount\n"
    "+        assert rowcount == 1\n"
    "         return self\n"
)
CS_USING = (
    " class C {\n   void Populate(string value, object target) {\n"
    "-    using (JsonReader reader = new JsonTextReader(new StringReader(value)))\n"
    "-    {\n"
    "-      serializer.Populate(reader, target);\n"
    "-    }\n"
    "+    JsonReader reader = new JsonTextReader(new StringReader(value));\n"
    "+    serializer.Populate(reader, target);\n"
    "   }\n }\n"
)
JAVA_TRY = (
    " class C {\n   String first(Path p) throws IOException {\n"
    "-    try (final Session session = factory.open(p)) {\n"
    "-      return session.first();\n"
    "-    }\n"
    "+    final Session session = factory.open(p);\n"
    "+    return session.first();\n"
    "   }\n }\n"
)


@pytest.mark.parametrize(
    ("path", "annotated", "lines"),
    [
        pytest.param("pkg/db.py", PY_TX, [3], id="python-transaction-block-dedented"),
        pytest.param("src/C.cs", CS_USING, [3], id="csharp-using-dropped"),
        pytest.param("src/C.java", JAVA_TRY, [3], id="java-try-with-resources-dropped"),
        pytest.param(
            "src/C.cs",
            CS_USING.replace(
                "+    serializer.Populate(reader, target);\n",
                "+    serializer.Populate(reader, target);\n+    reader.Close();\n",
            ),
            [],
            id="csharp-closed-by-hand",
        ),
        pytest.param(
            "pkg/db.py",
            " class T:\n     def update(self, sql, args):\n"
            "-        with self.db.conn:\n+        with self.db.conn:  # one transaction\n"
            "             return self.db.execute(sql, args)\n",
            [],
            id="python-header-only-commented",
        ),
        pytest.param(
            "pkg/db.py",
            " def load(path):\n-    with lock:\n-        data = read(path)\n+    with lock, timer():\n"
            "+        data = read(path)\n     return data\n",
            [],
            id="python-scope-kept-in-another-form",
        ),
        # jpype 1.5.0: a test stopped expecting the error; no resource was held
        pytest.param(
            "test/test_cov.py",
            " class T:\n     def test_x(self):\n-        with self.assertRaises(NotImplementedError):\n"
            "-            run(1)\n+        run(1)\n",
            [],
            id="python-assertion-context",
        ),
    ],
)
def test_removed_scope(path: str, annotated: str, lines: list[int]) -> None:
    assert flagged_lines(path, annotated, RULE) == lines


def test_a_resource_handed_to_the_caller_is_theirs_to_close() -> None:
    annotated = JAVA_TRY.replace("return session.first();", "return session;")
    assert flagged_lines("src/C.java", annotated, RULE) == []
