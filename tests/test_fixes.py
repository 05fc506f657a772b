"""Fix application and validation, and every fix the checks produce over a multi-language corpus."""

from __future__ import annotations

import pytest
from tactful.analyzers.checks import run_checks, run_rules
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.fixes import FixError, apply_edits, validate_fix
from tactful.analyzers.languages import count_error_nodes, detect_language, parse
from tactful.analyzers.model import FileChange, FileStatus, Fix, Hunk, Severity, Span, TextEdit


def change(path: str, annotated: str) -> tuple[FileChange, str]:
    """A one-hunk change from lines prefixed ``+`` (added) or `` `` (kept)."""
    lines = annotated.split("\n")
    if lines[-1] == "":
        lines.pop()
    new = [line[1:] for line in lines]
    added = tuple(i for i, line in enumerate(lines, 1) if line.startswith("+"))
    old_count = len(lines) - len(added)
    hunk = Hunk(1, old_count, 1, len(new), "", added, (), tuple(lines))
    return FileChange(path, path, FileStatus.MODIFIED, (hunk,)), "\n".join(new) + "\n"


# --- apply_edits ------------------------------------------------------------------------


def test_edits_apply_against_the_original_text_in_any_order() -> None:
    text = "alpha\nbeta\ngamma\n"
    edits = [
        TextEdit(Span(3, 0, 3, 5), "GAMMA"),
        TextEdit(Span(1, 0, 1, 1), "A"),
        TextEdit(Span(2, 4, 2, 4), "!"),
    ]
    assert apply_edits(text, edits) == "Alpha\nbeta!\nGAMMA\n"


def test_whole_line_spans_reach_the_end_of_text_with_or_without_final_newline() -> None:
    assert apply_edits("a\nb\n", [TextEdit(Span.lines(2, 2), "")]) == "a\n"
    assert apply_edits("a\nb", [TextEdit(Span.lines(2, 2), "")]) == "a\n"


def test_columns_are_code_points() -> None:
    assert apply_edits("é = 1\n", [TextEdit(Span(1, 4, 1, 5), "2")]) == "é = 2\n"


@pytest.mark.parametrize(
    ("edits", "reason"),
    [
        pytest.param(
            [TextEdit(Span(1, 0, 1, 3), "x"), TextEdit(Span(1, 2, 1, 4), "y")],
            "overlap",
            id="overlap",
        ),
        pytest.param(
            [TextEdit(Span(1, 1, 1, 1), "x"), TextEdit(Span(1, 1, 1, 1), "y")],
            "overlap",
            id="same-insert",
        ),
        pytest.param([TextEdit(Span(5, 0, 5, 1), "x")], "past the end", id="line-out-of-range"),
        pytest.param(
            [TextEdit(Span(1, 0, 1, 9), "x")], "past the end of line 1", id="column-out-of-range"
        ),
        pytest.param([TextEdit(Span(1, 3, 1, 1), "x")], "ends before it starts", id="reversed"),
    ],
)
def test_bad_edits_raise_fix_error(edits: list[TextEdit], reason: str) -> None:
    with pytest.raises(FixError, match=reason):
        apply_edits("abcd\nef\n", edits)


# --- validate_fix -----------------------------------------------------------------------

PY = "def f(x):\n    if x:\n        return 1\n    return 2\n"


def test_a_clean_fix_validates() -> None:
    fix = Fix("rename", (TextEdit(Span(3, 15, 3, 16), "3"),))
    assert validate_fix(PY, fix, "python") is None


def test_a_fix_that_breaks_syntax_is_rejected() -> None:
    fix = Fix("break", (TextEdit(Span(2, 4, 2, 9), "if x"),))
    assert validate_fix(PY, fix, "python") == "fix breaks the syntax: 1 error nodes after, 0 before"


def test_a_fix_in_already_broken_code_only_must_not_add_errors() -> None:
    broken = "def f(:\n    return 1\n"
    fix = Fix("literal", (TextEdit(Span(2, 11, 2, 12), "2"),))
    assert validate_fix(broken, fix, "python") is None


def test_tabs_replacing_spaces_are_rejected() -> None:
    fix = Fix("tabs", (TextEdit(Span.lines(3, 3), "\t\treturn 1\n"),))
    reason = validate_fix(PY, fix, "python")
    assert reason is not None and reason.startswith(
        "fix indents with tabs where the code uses spaces"
    )


def test_python_lines_off_the_block_indentation_are_rejected() -> None:
    fix = Fix("misaligned", (TextEdit(Span(4, 0, 4, 0), "   y = 1\n"),))
    assert validate_fix(PY, fix, "python") == "fix leaves Python indentation inconsistent"
    fix = Fix("outdented", (TextEdit(Span(4, 0, 4, 0), "  y = 1\n"),))
    assert validate_fix(PY, fix, "python") == "fix leaves Python indentation inconsistent"


def test_out_of_range_and_empty_fixes_are_rejected_with_a_reason() -> None:
    assert validate_fix(PY, Fix("far", (TextEdit(Span(40, 0, 40, 1), ""),)), "python") == (
        "fix does not apply: line 40 is past the end of the text (5 lines)"
    )
    assert validate_fix(PY, Fix("nothing", ()), "python") == "fix has no edits"


def test_unknown_language_checks_only_application_and_indentation() -> None:
    fix = Fix("text", (TextEdit(Span(1, 0, 1, 1), "{{{"),))
    assert validate_fix("a\n", fix, None) is None


def test_a_rule_fix_that_fails_validation_is_dropped_and_the_finding_kept() -> None:
    def bad(ctx: CheckContext) -> list[Hit]:
        return [
            Hit(
                Span(1, 0, 1, 3),
                "Bad fix.",
                "def",
                Fix("break it", (TextEdit(Span(1, 0, 1, 3), "de f"),)),
            )
        ]

    rule = Rule(RuleInfo("py.bad-fix", ("python",), Severity.INFO, "style", "test rule", True), bad)
    file, text = change("a.py", "+def f():\n+    return 1\n")
    (finding,) = run_rules((rule,), file, (), text, "python").findings
    assert finding.rule == "py.bad-fix" and finding.fix is None


# --- every fix the rules produce, over a corpus ------------------------------------------

CORPUS = {
    "svc/store.py": (
        " import os\n"
        "+def load(path, seen=[], opts={}):\n"
        "+    '''Load a file.'''\n"
        "+    print(path)\n"
        "+    if path == None:\n"
        "+        breakpoint()\n"
        "+    try:\n"
        "+        data = open(path).read()\n"
        "+    except:\n"
        "+        data = ''\n"
        "+    # data = data.strip()\n"
        "+    # seen.append(data)\n"
        "+    import pdb; pdb.set_trace()\n"
        "+    return data\n"
        "+class Box:\n"
        "+\tdef put(self, items=set()):\n"
        "+\t\tprint(items)\n"
    ),
    "web/app.js": (
        "+function f(a, b) {\n"
        "+  console.log(a);\n"
        "+  debugger;\n"
        "+  if (a == b || a != 2) { return 1; }\n"
        "+  // const x = compute(a);\n"
        "+  // return x;\n"
        "+  switch (a) {\n"
        "+    case 1:\n"
        "+      console.debug(b);\n"
        "+      break;\n"
        "+  }\n"
        "+}\n"
    ),
    "web/app.ts": "+export function g(x: number): boolean {\n+  console.log(x);\n+  return x == 3;\n+}\n",
    "ui/view.tsx": "+export const V = () => {\n+  debugger;\n+  return <div>{1 == 1}</div>;\n+};\n",
    "src/engine.rs": (
        "+fn main() {\n"
        "+    let x = dbg!(compute(1));\n"
        "+    dbg!(x);\n"
        "+    // let y = x + 1;\n"
        '+    // println!("{}", y);\n'
        "+}\n"
    ),
    "app/models.rb": "+def save\n+  binding.pry\n+  if ok\n+    byebug\n+  end\n+  true\n+end\n",
    "public/index.php": "+<?php\n+function f($x) {\n+    var_dump($x);\n+    dd($x);\n+    return $x;\n+}\n",
    "internal/run/run.go": (
        " package main\n+func main() {\n+\t// x := compute()\n+\t// fmt.Println(x)\n+\trun()\n+}\n"
    ),
    "src/A.java": (
        "+class A {\n"
        "+  void m() {\n"
        "+    // int x = compute();\n"
        "+    // use(x);\n"
        "+    go();\n"
        "+  }\n"
        "+}\n"
    ),
}


def _fixes() -> list[tuple[str, str, str, Fix]]:
    collected = []
    for path, annotated in CORPUS.items():
        file, text = change(path, annotated)
        language = detect_language(path)
        result = run_checks(file, (), text, language)
        assert result.errors == ()
        collected += [(path, f.rule, text, f.fix) for f in result.findings if f.fix is not None]
    return collected


def test_the_corpus_exercises_many_fixes_in_many_languages() -> None:
    fixes = _fixes()
    assert len(fixes) >= 25
    assert len({detect_language(path) for path, *_ in fixes}) >= 8
    assert {
        "py.debug-print",
        "py.debugger",
        "py.mutable-default",
        "py.none-comparison",
        "py.bare-except",
        "js.console-log",
        "js.debugger",
        "js.loose-equality",
        "rust.dbg-macro",
        "ruby.debugger",
        "php.debug-dump",
        "generic.commented-out-code",
    } <= {rule for _, rule, _, _ in fixes}


@pytest.mark.parametrize(
    ("path", "rule", "text", "fix"),
    _fixes(),
    ids=lambda v: v if isinstance(v, str) and "\n" not in v else "",
)
def test_every_fix_applies_reparses_and_keeps_indentation(
    path: str, rule: str, text: str, fix: Fix
) -> None:
    language = detect_language(path)
    assert language is not None
    result = apply_edits(text, fix.edits)
    assert result != text
    assert count_error_nodes(parse(language, result)) <= count_error_nodes(parse(language, text))
    indent_chars = {c for line in text.split("\n") for c in line[: len(line) - len(line.lstrip())]}
    for line in result.split("\n"):
        indent = line[: len(line) - len(line.lstrip())]
        assert set(indent) <= indent_chars, f"{rule} introduced indentation {indent!r}"
    if language == "python":
        compile(result, path, "exec")  # the real interpreter agrees the indentation is consistent
