"""Rule settings: inline ``tactful: ignore[rule]`` comments and per-rule severity, on real repositories."""

from __future__ import annotations

import json

import pytest
from support import GitRepo
from tactful.analyzers.model import Finding, Severity, Span
from tactful.analyzers.suppress import is_suppressed, suppressions


def finding(rule: str, line: int) -> Finding:
    return Finding("f", Span(line, 0, line, 1), Severity.WARNING, rule, "m")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        pytest.param("python", "x = 1\nprint(x)  # tactful: ignore[py.debug-print]\n", id="python"),
        pytest.param("ruby", "x = 1\nputs x # tactful: ignore[py.debug-print]\n", id="ruby"),
        pytest.param(
            "javascript", "let x;\nconsole.log(x); // tactful: ignore[py.debug-print]\n", id="js"
        ),
        pytest.param(
            "go", "x := 1\nfmt.Println(x) /* tactful: ignore[py.debug-print] */\n", id="go"
        ),
        pytest.param("php", "<?php\necho $x; # tactful: ignore[py.debug-print]\n", id="php"),
        pytest.param(
            "rust", "let x = 1;\n// tactful: ignore[py.debug-print]\ndbg!(x);\n", id="rust"
        ),
        pytest.param(None, "a = 1\nb = 2 -- tactful: ignore[py.debug-print]\n", id="unknown"),
    ],
)
def test_a_comment_in_the_languages_syntax_suppresses_the_rule(language, text) -> None:
    covered = suppressions(text, language)
    line = len(text.rstrip("\n").split("\n"))
    assert is_suppressed(finding("py.debug-print", line), covered)
    assert not is_suppressed(finding("py.bare-except", line), covered)
    assert not is_suppressed(finding("py.debug-print", 1), covered)


def test_what_a_comment_covers() -> None:
    text = (
        "a = 1  # tactful: ignore[generic.*]\n"  # 1: trailing: this line only
        "b = 2\n"  # 2
        "    # tactful: ignore\n"  # 3: comment-only: this and the next line, every rule
        "c = 3\n"  # 4
        's = "# tactful: ignore"\n'  # 5: read as a comment too (documented limit)
        "d = 4 # tactful:ignore[py.x, py.y]\n"  # 6
    )
    covered = suppressions(text, "python")
    assert is_suppressed(finding("generic.todo-no-reference", 1), covered)
    assert not is_suppressed(finding("generic.todo-no-reference", 2), covered)
    assert is_suppressed(finding("py.anything", 3), covered)
    assert is_suppressed(finding("py.anything", 4), covered)
    assert is_suppressed(finding("py.y", 6), covered)
    assert not is_suppressed(finding("py.z", 6), covered)
    # JavaScript has no '#' comments: the marker after one is not a comment there
    assert suppressions("x = 1 # tactful: ignore\n", "javascript") == {}


BASE = "def load(path):\n    return open(path).read()\n"
EDITED = (
    "def load(path):\n"
    '    print("loading", path)  # tactful: ignore[py.debug-print]\n'
    "    # tactful: ignore[py.bare-except]\n"
    "    try:\n"
    "        return open(path).read()\n"
    "    except:\n"
    '        print("failed")\n'
    "        return None\n"
)


def rules_of(result) -> dict[str, str]:
    return {f["rule"]: f["severity"] for f in result.json()["findings"]}


def test_review_honours_suppressions_and_rule_severity(git_repo: GitRepo, cli) -> None:
    git_repo.write("app.py", BASE)
    git_repo.commit("base")
    git_repo.write("app.py", EDITED)
    plain = cli("review", "--all", "--no-llm", "--format", "json", cwd=git_repo.root)
    assert plain.returncode == 0, plain.stderr
    # the print on line 2 is suppressed; the bare except is flagged on line 6, not covered by
    # the comment on line 3 (which covers line 4 only); the print on line 7 still counts
    found = plain.json()["findings"]
    assert sorted((f["rule"], f["line"]) for f in found) == [
        ("py.bare-except", 6),
        ("py.debug-print", 7),
    ]
    assert plain.json()["coverage"]["counters"]["suppressed-inline"] == 1
    git_repo.write(
        ".tactful/settings.json",
        '{"review": {"ruleSeverity": {"py.bare-except": "error", "py.debug-*": "info"}}}',
    )
    severe = cli("review", "--all", "--no-llm", "--format", "json", cwd=git_repo.root)
    assert rules_of(severe) == {"py.bare-except": "error", "py.debug-print": "info"}
    failing = cli("review", "--all", "--no-llm", "--fail-on", "error", cwd=git_repo.root)
    assert failing.returncode == 1


def test_rules_lists_every_rule_with_its_languages_and_severity(cli) -> None:
    from tactful.analyzers.checks import RULES

    listed = cli("rules", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = {r["id"]: r for r in json.loads(listed.stdout)}
    assert set(RULES) <= set(rows)  # every id a setting or a comment can name
    assert rows["py.bare-except"]["languages"] == ["python"]
    assert rows["py.bare-except"]["severity"] == RULES["py.bare-except"].severity.value
    text = cli("rules")
    assert text.returncode == 0, text.stderr
    line = next(line for line in text.stdout.splitlines() if line.startswith("py.bare-except "))
    assert line.split()[1] == RULES["py.bare-except"].severity.value and "python:" in line
