"""Debug output: a file "already prints" only through code, not through its documentation."""

from __future__ import annotations

import pytest
from rules_support import flagged_lines


@pytest.mark.parametrize(
    ("path", "annotated", "rule", "lines"),
    [
        pytest.param(
            "lib/db.py",
            ' def query(sql):\n     """Run it.\n\n         print(db.query("x"))\n     """\n+    print("query:", sql)\n     return run(sql)\n',
            "py.debug-print",
            [6],
            id="py-docstring-example",
        ),
        pytest.param(
            "src/lib.rs",
            ' /// ```\n ///     println!("{}", entry.path().display());\n /// ```\n fn push(d: &D) {\n'
            '+    eprintln!("opening {:?}", d);\n }\n',
            "rust.debug-print",
            [5],
            id="rust-doc-comment-example",
        ),
        pytest.param(
            "src/ajax.ts",
            " /**\n  *   map(r => console.log('users: ', r)),\n  */\n function send(h: H) {\n"
            "+  console.log('ajax header', h);\n }\n",
            "js.console-log",
            [5],
            id="ts-jsdoc-example",
        ),
    ],
)
def test_prints_in_documentation_do_not_make_the_file_a_printer(
    path: str, annotated: str, rule: str, lines: list[int]
) -> None:
    assert flagged_lines(path, annotated, rule) == lines


def test_a_file_that_prints_in_code_still_may_print() -> None:
    annotated = ' def report(x):\n     print("total", x)\n def f(a):\n+    print(a)\n'
    assert flagged_lines("lib/stats.py", annotated, "py.debug-print") == []


@pytest.mark.parametrize(
    ("path", "annotated", "rule", "lines"),
    [
        pytest.param(
            "src/main/java/org/apache/commons/cli/HelpFormatter.java",
            " class HelpFormatter {\n   void render(String s) {\n"
            '+    System.out.println("render " + s);\n   }\n }\n',
            "java.debug-print",
            [3],
            id="java-cli-package-is-a-library",
        ),
        pytest.param(
            "internal/cli/flags.go",
            ' package cli\n\n func parse(s string) {\n+\tfmt.Println("parse", s)\n }\n',
            "go.debug-print",
            [4],
            id="go-cli-package-is-a-library",
        ),
        pytest.param(
            "src/Tool/cli/Options.cs",
            " class Options {\n   void Parse(string s) {\n+    Console.WriteLine(s);\n   }\n }\n",
            "csharp.debug-print",
            [3],
            id="csharp-cli-namespace-is-a-library",
        ),
        pytest.param(
            "pkg/cli/run.py",
            " def f(a):\n+    print(a)\n",
            "py.debug-print",
            [],
            id="python-cli-package",
        ),
        pytest.param(
            "cmd/tool/cli/run.go",
            " package cli\n\n func parse(s string) {\n+\tfmt.Println(s)\n }\n",
            "go.debug-print",
            [],
            id="go-under-cmd-is-a-program",
        ),
    ],
)
def test_a_cli_folder_is_a_program_only_where_folders_are_not_packages(
    path: str, annotated: str, rule: str, lines: list[int]
) -> None:
    assert flagged_lines(path, annotated, rule) == lines
