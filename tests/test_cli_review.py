"""End to end: the real ``tactful review`` command on real git repositories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support import GitRepo
from tactful.analyzers.fixes import apply_edits
from tactful.analyzers.model import Span, TextEdit

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "server/data/review.schema.json").read_text()
)


def apply_json_fix(text: str, fix: dict[str, Any]) -> str:
    edits = [
        TextEdit(Span(e["line"], e["column"] - 1, e["endLine"], e["endColumn"] - 1), e["newText"])
        for e in fix["edits"]
    ]
    return apply_edits(text, edits)


def review_json(cli, repo: GitRepo, *args: str) -> dict[str, Any]:
    result = cli("review", "--format", "json", *args, cwd=repo.root)
    assert result.returncode == 0, result.stderr
    data = result.json()
    jsonschema.validate(data, SCHEMA)
    return data


def by_rule(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in data["findings"]:
        out.setdefault(f["rule"], []).append(f)
    return out


PY_OLD = '''"""Orders."""


class Orders:
    def __init__(self):
        self.items = []

    def total(self, items):
        return sum(i.price for i in items)
'''

PY_NEW = '''"""Orders."""


class Orders:
    def __init__(self):
        self.items = []

    def total(self, items, seen=[]):
        if items == None:
            return 0
        return sum(i.price for i in items)
'''

PY_FIXED_DEFAULT = PY_NEW.replace(
    "def total(self, items, seen=[]):\n",
    "def total(self, items, seen=None):\n        if seen is None:\n            seen = []\n",
)

CASES = [
    pytest.param(
        "orders.py",
        PY_OLD,
        PY_NEW,
        [
            ("py.mutable-default", 8, 33, "Orders.total", PY_FIXED_DEFAULT),
            (
                "py.none-comparison",
                9,
                12,
                "Orders.total",
                PY_NEW.replace("items == None", "items is None"),
            ),
        ],
        id="python",
    ),
    pytest.param(
        "app.js",
        "function handle(req) {\n  return lookup(req.user);\n}\n",
        "function handle(req) {\n  console.log(req);\n  if (req.kind == 'admin') {\n    debugger;\n  }\n  return lookup(req.user);\n}\n",
        [
            (
                "js.console-log",
                2,
                3,
                "handle",
                "function handle(req) {\n  if (req.kind == 'admin') {\n    debugger;\n  }\n  return lookup(req.user);\n}\n",
            ),
            (
                "js.loose-equality",
                3,
                7,
                "handle",
                "function handle(req) {\n  console.log(req);\n  if (req.kind === 'admin') {\n    debugger;\n  }\n  return lookup(req.user);\n}\n",
            ),
            (
                "js.debugger",
                4,
                5,
                "handle",
                "function handle(req) {\n  console.log(req);\n  if (req.kind == 'admin') {\n  }\n  return lookup(req.user);\n}\n",
            ),
        ],
        id="javascript",
    ),
    pytest.param(
        "load.go",
        'package main\n\nimport "os"\n\nfunc load(p string) ([]byte, error) {\n\tdata, err := os.ReadFile(p)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn data, nil\n}\n',
        'package main\n\nimport "os"\n\nfunc load(p string) ([]byte, error) {\n\tdata, err := os.ReadFile(p)\n\treturn data, nil\n}\n',
        [("go.removed-err-check", 6, 2, "load", None)],
        id="go",
    ),
    pytest.param(
        "lib.rs",
        "fn area(w: u32, h: u32) -> u32 {\n    w * h\n}\n",
        "fn area(w: u32, h: u32) -> u32 {\n    dbg!(w * h)\n}\n",
        [("rust.dbg-macro", 2, 5, "area", "fn area(w: u32, h: u32) -> u32 {\n    w * h\n}\n")],
        id="rust",
    ),
    pytest.param(
        "Service.java",
        "class Service {\n  void run() {\n    work();\n  }\n}\n",
        "class Service {\n  void run() {\n    try {\n      work();\n    } catch (Exception e) {\n    }\n  }\n}\n",
        [("java.empty-catch", 5, 7, "Service.run", None)],
        id="java",
    ),
    pytest.param(
        "user.rb",
        "class User\n  def save\n    persist\n  end\nend\n",
        "class User\n  def save\n    binding.pry\n    persist\n  end\nend\n",
        [("ruby.debugger", 3, 5, "User.save", "class User\n  def save\n    persist\n  end\nend\n")],
        id="ruby",
    ),
]


@pytest.mark.parametrize(("path", "old", "new", "expected"), CASES)
def test_review_working_tree_exact_findings(
    cli, git_repo: GitRepo, path, old, new, expected
) -> None:
    git_repo.write(path, old)
    git_repo.commit("base")
    git_repo.write(path, new)
    data = review_json(cli, git_repo, "--all")
    got = sorted((f["rule"], f["line"], f["column"], f["unit"]) for f in data["findings"])
    assert got == sorted((rule, line, col, unit) for rule, line, col, unit, _ in expected)
    for rule, _, _, _, fixed in expected:
        (finding,) = by_rule(data)[rule]
        assert finding["path"] == path
        if fixed is None:
            assert finding["fix"] is None
        else:
            assert apply_json_fix(new, finding["fix"]) == fixed
    assert data["coverage"]["reviewed"] == [path]


def test_review_range_uses_merge_base(cli, git_repo: GitRepo) -> None:
    git_repo.write("a.py", "def f():\n    return 1\n")
    git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("a.py", "def f():\n    breakpoint()\n    return 1\n")
    git_repo.commit("feature work")
    git_repo.git("checkout", "-q", "main")
    git_repo.write(
        "b.py", "def g():\n    breakpoint()\n"
    )  # on main only: not part of main...feature
    git_repo.commit("main moves on")
    data = review_json(cli, git_repo, "--base", "main", "--head", "feature")
    assert [(f["path"], f["rule"], f["line"]) for f in data["findings"]] == [
        ("a.py", "py.debugger", 2)
    ]
    assert data["change"] == "main...feature"


def test_review_staged_and_unstaged(cli, git_repo: GitRepo) -> None:
    git_repo.write("a.py", "x = 1\n")
    git_repo.write("b.py", "y = 1\n")
    git_repo.commit("base")
    git_repo.write("a.py", "x = 1\nbreakpoint()\n")
    git_repo.git("add", "a.py")
    git_repo.write("b.py", "y = 1\nbreakpoint()\n")
    data = review_json(cli, git_repo)
    assert sorted(f["path"] for f in data["findings"]) == ["a.py", "b.py"]


def test_text_output_is_compiler_style(cli, git_repo: GitRepo) -> None:
    git_repo.write("a.py", "def f(x):\n    return x\n")
    git_repo.commit("base")
    git_repo.write("a.py", "def f(x):\n    if x == None:\n        return 0\n    return x\n")
    result = cli("review", "--all", cwd=git_repo.root)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "a.py:2:8: info [py.none-comparison] " + lines[0].split("] ", 1)[1]
    assert "    -    if x == None:" in lines and "    +    if x is None:" in lines
    assert any(line.startswith("tactful: working tree vs HEAD: 1 finding(s)") for line in lines)


def test_fail_on_sets_exit_status(cli, git_repo: GitRepo) -> None:
    git_repo.write("a.py", "x = 1\n")
    git_repo.commit("base")
    git_repo.write("a.py", "x = 1\nif x == None:\n    pass\n")
    assert cli("review", "--all", "--fail-on", "warning", cwd=git_repo.root).returncode == 0
    assert cli("review", "--all", "--fail-on", "info", cwd=git_repo.root).returncode == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--base", "no-such-branch"), "unknown revision 'no-such-branch'"),
        (("--head", "main"), "--head needs --base"),
        (("--format", "yaml"), "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_one_line(cli, git_repo: GitRepo, args, message) -> None:
    git_repo.write("a.py", "x = 1\n")
    git_repo.commit("base")
    result = cli("review", *args, cwd=git_repo.root)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_a_repository(cli, tmp_path: Path) -> None:
    result = cli("review", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "tactful: error: . is not inside a git repository (use --patch to review a patch file)"
    ]


def test_gate_hides_what_a_new_user_would_not_act_on_and_logs_it(
    cli, git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("a.py", "def f(x, seen=None):\n    return x\n")
    git_repo.commit("base")
    git_repo.write(
        "a.py",
        "def f(x, seen=None):\n    breakpoint()\n    if x == None:\n        return 0\n    return x\n",
    )
    data = review_json(cli, git_repo)
    shown = {f["rule"] for f in data["findings"]}
    hidden = {f["rule"] for f in data["hidden"]}
    assert shown | hidden == {"py.debugger", "py.none-comparison"}
    assert "py.debugger" in shown
    counters = data["coverage"]["counters"]
    assert counters["gate.shown"] + counters["gate.hidden"] == 2
    assert (tmp_path / "data" / "feedback.sqlite3").is_file()
    export = cli(
        "feedback",
        "export",
        "--format",
        "jsonl",
        "--db",
        str(tmp_path / "data" / "feedback.sqlite3"),
    )
    kinds = sorted(json.loads(line)["kind"] for line in export.stdout.splitlines())
    assert kinds == sorted(["shown"] * len(shown) + ["hidden"] * len(hidden))


def test_json_units_carry_callers_callees_and_signature_changes(cli, git_repo: GitRepo) -> None:
    git_repo.write(
        "lib.py", "def area(w, h):\n    return mul(w, h)\n\n\ndef mul(a, b):\n    return a * b\n"
    )
    git_repo.write("app.py", "from lib import area\n\n\ndef main():\n    return area(2, 3)\n")
    git_repo.commit("base")
    git_repo.write(
        "lib.py",
        "def area(w, h, d):\n    return mul(w, h) * d\n\n\ndef mul(a, b):\n    return a * b\n",
    )
    data = review_json(cli, git_repo, "--all")
    (unit,) = data["units"]
    assert unit["name"] == "area"
    assert [(c["path"], c["line"]) for c in unit["callers"]] == [("app.py", 5)]
    assert [c["name"] for c in unit["callees"]] == ["mul"]
    (finding,) = [f for f in data["findings"] if f["rule"] == "callgraph.signature-change"]
    assert [(r["path"], r["line"]) for r in finding["related"]] == [("app.py", 5)]


def test_no_call_graph_skips_the_index(cli, git_repo: GitRepo) -> None:
    git_repo.write("lib.py", "def area(w, h):\n    return w * h\n")
    git_repo.write("app.py", "from lib import area\n\n\ndef main():\n    return area(2, 3)\n")
    git_repo.commit("base")
    git_repo.write("lib.py", "def area(w, h, d):\n    return w * h * d\n")
    data = review_json(cli, git_repo, "--all", "--no-call-graph")
    assert data["units"][0]["callers"] == []
    assert not [f for f in data["findings"] if f["rule"] == "callgraph.signature-change"]


def test_rules_that_agree_on_a_line_give_one_comment(cli, git_repo: GitRepo) -> None:
    git_repo.write(
        "inv.py",
        "def remove(items, name):\n    try:\n        items.remove(name)\n    except ValueError:\n        raise KeyError(name)\n",
    )
    git_repo.commit("base")
    git_repo.write(
        "inv.py",
        "def remove(items, name):\n    try:\n        items.remove(name)\n    except:\n        pass\n",
    )
    findings = review_json(cli, git_repo, "--all", "--no-llm")["findings"]
    on_handler = [f for f in findings if f["line"] == 4 and f["category"] == "error-handling"]
    assert [f["rule"] for f in on_handler] == ["py.bare-except"]
