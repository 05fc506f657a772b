"""Own-vs-others' code from git blame, in a real repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tactful.analyzers.model import ChangeUnit, Finding, Severity, Span
from tactful.server.gate.ownership import Ownership
from tactful.server.git import head_commit


def _git(root: Path, *args: str, email: str = "t@t") -> None:
    env = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": email, "PATH": "/usr/bin:/bin"}  # fmt: skip
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def test_blame_share_of_the_lines_around_a_finding(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "app.py").write_text("def f():\n    return 1\n")
    _git(tmp_path, "add", "app.py")
    _git(tmp_path, "commit", "-qm", "mine", email="ana@example.com")
    with (tmp_path / "app.py").open("a") as handle:
        handle.write("def g():\n    return 2\n")
    _git(tmp_path, "commit", "-qam", "theirs", email="bob@example.com")
    finding = Finding(path="app.py", span=Span(2, 4, 2, 12), severity=Severity.WARNING, rule="r",
                      message="m", unit="f")  # fmt: skip

    def unit(first: int, last: int | None) -> ChangeUnit:
        old = Span.lines(first, last) if last is not None else None
        return ChangeUnit(path="app.py", language="python", kind="function", name="f", old_span=old,
                          new_span=Span.lines(first, first + 1), old_source="x" if old else "", new_source="x",
                          changed_new_lines=(first,), changed_old_lines=())  # fmt: skip

    head = head_commit(tmp_path)
    ana = Ownership(tmp_path, "Ana@Example.com")
    assert ana.own_share(finding, unit(1, 2), head) == 1.0
    assert ana.own_share(finding, unit(3, 4), head) == 0.0
    assert ana.own_share(finding, unit(1, 4), head) == 0.5
    assert ana.own_share(finding, unit(1, None), head) == 1.0  # new code is the developer's own
    assert ana.own_share(finding, None, head) == 0.5  # no unit: the lines around the finding
    assert Ownership(tmp_path, "").own_share(finding, unit(1, 2), head) is None
    untracked = Finding(
        path="new.py", span=Span(1, 0, 1, 1), severity=Severity.INFO, rule="r", message="m"
    )
    assert ana.own_share(untracked, None, head) is None
