"""Signature changes the callers did not follow: swapped parameters, on real git repositories."""

from __future__ import annotations

from tactful.analyzers.callgraph import CallGraph, extract_tags, signature_change_findings
from tactful.analyzers.model import ChangeUnit, Span


def _review(git_repo, before: dict[str, str], after: dict[str, str], units: list[ChangeUnit]):
    for path, text in before.items():
        git_repo.write(path, text)
    git_repo.commit("base")
    for path, text in after.items():
        git_repo.write(path, text)
    changed = git_repo.git("diff", "--name-only").split()
    old = [extract_tags("python", p, git_repo.git("show", f"HEAD:{p}")) for p in changed]
    new = [
        extract_tags("python", p, (git_repo.root / p).read_text())
        for p in git_repo.git("ls-files").split()
    ]
    old_defs = [d for t in old for d in t.definitions]
    new_defs = [d for t in new if t.path in changed for d in t.definitions]
    return signature_change_findings(units, old_defs, new_defs, CallGraph.build(new))


def _unit(path: str, name: str, lines: tuple[int, ...]) -> ChangeUnit:
    return ChangeUnit(path, "python", "function", name, None, Span.lines(1, 3), "", "", lines, ())


BEFORE = {
    "lib.py": "def transfer(source, target, amount):\n    return (source, target, amount)\n",
    "a.py": "from lib import transfer\n\ndef pay(x, y):\n    return transfer(x, y, 5)\n",
    "b.py": "from lib import transfer\n\ndef refund(x, y):\n    return transfer(source=x, target=y, amount=1)\n",
    "c.py": "from lib import transfer\n\ndef move(x, y):\n    return transfer(x, target=y, amount=2)\n",
}
SWAPPED = "def transfer(target, source, amount):\n    return (source, target, amount)\n"


def test_swapped_parameters_flag_positional_callers(git_repo) -> None:
    (finding,) = _review(git_repo, BEFORE, {"lib.py": SWAPPED}, [_unit("lib.py", "transfer", (1,))])
    # keyword-only callers (b.py) still bind right; a positional first argument (c.py) does not
    assert [(loc.path, loc.span.start_line) for loc in finding.related] == [
        ("a.py", 4),
        ("c.py", 4),
    ]
    assert "(source, target, amount) to (target, source, amount)" in finding.message
    assert "by position" in finding.related[0].message


def test_callers_the_change_updated_are_not_stale(git_repo) -> None:
    after = {
        "lib.py": SWAPPED,
        "a.py": BEFORE["a.py"].replace("transfer(x, y, 5)", "transfer(y, x, 5)"),
    }
    units = [_unit("lib.py", "transfer", (1,)), _unit("a.py", "pay", (4,))]
    (finding,) = _review(git_repo, BEFORE, after, units)
    assert [loc.path for loc in finding.related] == ["c.py"]


def test_moving_a_parameter_after_the_positional_ones_is_silent(git_repo) -> None:
    before = {
        "lib.py": "def f(a, b, c=0, d=0):\n    return a\n",
        "a.py": "from lib import f\n\ndef g():\n    return f(1, 2)\n",
    }
    after = {"lib.py": "def f(a, b, d=0, c=0):\n    return a\n"}
    assert _review(git_repo, before, after, [_unit("lib.py", "f", (1,))]) == []
