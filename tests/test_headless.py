"""End to end: ``tactful review`` for pull requests: SARIF, rdjson, GitHub payloads, incremental runs."""

from __future__ import annotations

import json
import os
import pty
import random
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support import GIT_ENV, GitRepo
from tactful.analyzers.diff import parse_diff
from tactful.server.formats.github import hunk_ranges

BASE = '''"""Inventory."""


def add(items, name):
    items.append(name)
    return items


def total(counts):
    return sum(counts)
'''

PUSH_1 = '''"""Inventory."""


def add(items, name, tags=[]):
    print("adding", name)
    items.append(name)
    return items


def total(counts):
    if counts == None:
        return 0
    return sum(counts)
'''

# Second push: the print is gone (resolved), a line shift above the rest, one new finding.
PUSH_2 = '''"""Inventory."""

import logging


def add(items, name, tags=[]):
    items.append(name)
    return items


def total(counts):
    if counts == None:
        return 0
    return sum(counts)


def first(items):
    breakpoint()
    return items[0]
'''


def _schema(name: str) -> dict[str, Any]:
    return json.loads(files("tactful.server.data").joinpath(name).read_text("utf-8"))


@pytest.fixture
def pr(git_repo: GitRepo) -> GitRepo:
    git_repo.write("inventory.py", BASE)
    git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("inventory.py", PUSH_1)
    git_repo.commit("push 1")
    return git_repo


def _review(cli, repo: GitRepo, *args: str) -> Any:
    result = cli("review", "--base", "main", "--all", "--no-llm", *args, cwd=repo.root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sarif_is_valid_2_1_0_with_fingerprints_fixes_and_coverage(cli, pr: GitRepo) -> None:
    log = _review(cli, pr, "--format", "sarif")
    jsonschema.Draft4Validator(_schema("sarif-2.1.0.schema.json")).validate(log)
    run = log["runs"][0]
    results = run["results"]
    assert {r["ruleId"] for r in results} >= {
        "py.mutable-default",
        "py.debug-print",
        "py.none-comparison",
    }
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for r in results:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
        assert len(r["partialFingerprints"]["tactful/v1"]) == 16
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "inventory.py"
    printed = next(r for r in results if r["ruleId"] == "py.debug-print")
    assert printed["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    assert printed["fixes"][0]["artifactChanges"][0]["replacements"]
    assert run["properties"]["coverage"]["reviewed"] == ["inventory.py"]
    json_findings = _review(cli, pr, "--format", "json")["findings"]
    assert sorted(r["partialFingerprints"]["tactful/v1"] for r in results) == sorted(
        f["fingerprint"] for f in json_findings
    )


def _multitool() -> str | None:
    return os.environ.get("SARIF_MULTITOOL") or shutil.which("sarif-multitool")


@pytest.mark.skipif(
    _multitool() is None,
    reason="Microsoft's sarif-multitool is not installed (.ci/run installs it from npm)",
)
def test_sarif_passes_microsofts_validator(cli, pr: GitRepo, tmp_path: Path) -> None:
    sarif = tmp_path / "review.sarif"
    sarif.write_text(json.dumps(_review(cli, pr, "--format", "sarif")))
    out = tmp_path / "validation.sarif"
    proc = subprocess.run(
        [str(_multitool()), "validate", str(sarif), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text("utf-8-sig"))
    errors = [
        r for run in report["runs"] for r in run.get("results", []) if r.get("level") == "error"
    ]
    assert errors == [], errors


def test_rdjson_is_valid_with_byte_columns_and_suggestions(cli, git_repo: GitRepo) -> None:
    git_repo.write("m.py", "def f(a):\n    return a\n")
    git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("m.py", "def f(a):\n    s = 'é'; print(a, s)\n    return a\n")
    git_repo.commit("print after a multi-byte character")
    data = _review(cli, git_repo, "--format", "rdjson")
    jsonschema.Draft4Validator(_schema("rdjson.schema.json")).validate(data)
    (diag,) = [d for d in data["diagnostics"] if d["code"]["value"] == "py.debug-print"]
    # 'print' starts after "    s = 'é'; " : code point 13, UTF-8 byte 14, so column 15 (1-based)
    assert diag["location"]["range"]["start"] == {"line": 2, "column": 15}
    assert diag["severity"] == "WARNING"
    assert diag["original_output"].startswith("fingerprint=")
    # The coverage rides as an extra top-level field (reviewdog >= 0.18 discards unknown ones).
    coverage = _review(cli, git_repo, "--format", "json")["coverage"]
    assert data["coverage"] == {
        **coverage,
        "change": "main...HEAD",
        "shown": len(data["diagnostics"]),
        "hidden": 0,
    }


def _comment_lines(comment: dict[str, Any]) -> range:
    return range(comment.get("start_line", comment["line"]), comment["line"] + 1)


def test_github_payload_comments_only_on_diff_lines_with_suggestions(cli, pr: GitRepo) -> None:
    payload = _review(cli, pr, "--format", "github")
    assert payload["event"] == "COMMENT"
    assert payload["commit_id"] == pr.git("rev-parse", "HEAD").strip()
    ranges = hunk_ranges(parse_diff(pr.git("diff", "main...HEAD")).files[0])
    assert payload["comments"]
    for comment in payload["comments"]:
        assert comment["side"] == "RIGHT"
        lines = _comment_lines(comment)
        assert any(lo <= lines.start and lines.stop - 1 <= hi for lo, hi in ranges), comment
        assert "<!-- tactful:fingerprint=" in comment["body"]
    none_compare = next(c for c in payload["comments"] if "py.none-comparison" in c["body"])
    assert "```suggestion\n    if counts is None:\n```" in none_compare["body"]
    deletion = next(c for c in payload["comments"] if "py.debug-print" in c["body"])
    assert "```suggestion\n```" in deletion["body"]  # an empty suggestion deletes the line
    assert "1 file(s) reviewed" in payload["body"]


def test_second_push_reports_only_new_findings_and_lists_resolved(
    cli, pr: GitRepo, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    first = _review(cli, pr, "--format", "json", "--state", str(state))
    first_fps = {f["fingerprint"]: f["rule"] for f in first["findings"]}
    assert set(first_fps.values()) >= {"py.mutable-default", "py.debug-print", "py.none-comparison"}
    pr.write("inventory.py", PUSH_2)
    pr.commit("push 2")
    second = _review(cli, pr, "--format", "json", "--state", str(state))
    assert [f["rule"] for f in second["findings"]] == ["py.debugger"]
    counters = second["coverage"]["counters"]
    assert counters["incremental.resolved"] == 1  # the print
    assert counters["incremental.open"] == 2  # mutable default and == None, shifted by two lines
    assert any(
        n.startswith("resolved: inventory.py:5 py.debug-print") for n in second["coverage"]["notes"]
    )
    third = _review(cli, pr, "--format", "json", "--state", str(state))
    assert third["findings"] == []


def test_previous_run_rebuilt_from_posted_comments(cli, pr: GitRepo, tmp_path: Path) -> None:
    posted = tmp_path / "comments.json"
    posted.write_text(json.dumps(_review(cli, pr, "--format", "github")["comments"]))
    again = _review(cli, pr, "--format", "github", "--previous-comments", str(posted))
    assert again["comments"] == []


def test_rejected_fingerprint_is_never_posted_again(cli, pr: GitRepo, tmp_path: Path) -> None:
    findings = _review(cli, pr, "--format", "json")["findings"]
    rejected = next(f for f in findings if f["rule"] == "py.debug-print")
    listing = tmp_path / "rejected.txt"
    listing.write_text(rejected["fingerprint"] + "\n")
    payload = _review(cli, pr, "--format", "github", "--rejected", str(listing))
    bodies = "\n".join(c["body"] for c in payload["comments"])
    assert rejected["fingerprint"] not in bodies
    assert len(payload["comments"]) == len(findings) - 1


def test_max_findings_keeps_the_highest_ranked(cli, pr: GitRepo) -> None:
    everything = _review(cli, pr, "--format", "json")["findings"]
    capped = _review(cli, pr, "--format", "json", "--max-findings", "2")
    assert len(capped["findings"]) == 2
    severities = {"info": 0, "warning": 1, "error": 2}
    kept_rank = min(severities[f["severity"]] for f in capped["findings"])
    dropped = [
        f
        for f in everything
        if f["fingerprint"] not in {c["fingerprint"] for c in capped["findings"]}
    ]
    assert all(severities[f["severity"]] <= kept_rank for f in dropped)
    assert any("--max-findings 2" in n for n in capped["coverage"]["notes"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--max-findings", "0"), "--max-findings: expected at least 1"),
        (("--state", "{bad}"), "not a tactful state file"),
    ],
)
def test_bad_headless_arguments_are_one_line(
    cli, pr: GitRepo, tmp_path: Path, args, message
) -> None:
    if "{bad}" in args:
        bad = tmp_path / "state.json"
        bad.write_text("{not json")
        args = tuple(str(bad) if a == "{bad}" else a for a in args)
    result = cli("review", "--base", "main", "--all", "--no-llm", *args, cwd=pr.root)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _random_source(rng: random.Random, n: int) -> list[str]:
    pool = [
        "x = 1",
        "print(x)",
        "y = [i for i in range(3)]",
        "if x == None:",
        "    pass",
        "z = x + 1",
        "# TODO: tidy",
    ]
    return [rng.choice(pool) for _ in range(n)]


def test_github_comments_never_fall_outside_the_diff_on_random_changes(
    cli, git_repo: GitRepo
) -> None:
    """A property over random edits: every comment's lines lie inside one right-side hunk."""
    rng = random.Random(20261202)
    lines = _random_source(rng, 60)
    git_repo.write("r.py", "\n".join(lines) + "\n")
    git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature")
    for round_ in range(6):
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(lines))
            action = rng.choice(("insert", "delete", "replace"))
            if action == "insert":
                lines[at:at] = _random_source(rng, rng.randint(1, 3))
            elif action == "delete" and len(lines) > 5:
                del lines[at : at + rng.randint(1, 3)]
            else:
                lines[at] = _random_source(rng, 1)[0]
        git_repo.write("r.py", "\n".join(lines) + "\n")
        git_repo.commit(f"round {round_}")
        payload = _review(cli, git_repo, "--format", "github")
        diff = parse_diff(git_repo.git("diff", "main...HEAD"))
        ranges = {f.path: hunk_ranges(f) for f in diff.files}
        for comment in payload["comments"]:
            span = _comment_lines(comment)
            assert any(
                lo <= span.start and span.stop - 1 <= hi for lo, hi in ranges[comment["path"]]
            ), (round_, comment)


def test_ci_gets_plain_progress_lines_on_stderr_and_stdout_stays_machine_readable(
    cli, pr: GitRepo
) -> None:
    result = cli(
        "review",
        "--base",
        "main",
        "--all",
        "--no-llm",
        "--format",
        "sarif",
        cwd=pr.root,
        env={"CI": "true"},
    )
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)
    assert "tactful: indexing the repository: 1/1" in result.stderr


def test_a_terminal_gets_a_progress_bar_and_stdout_stays_machine_readable(
    pr: GitRepo, tmp_path: Path
) -> None:
    """stderr on a pseudo-terminal (as in an interactive shell): the bar goes there, only there."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "OPENAI_BASE_URL")}
    env.update(GIT_ENV, TERM="xterm-256color", COLUMNS="100",
               TACTFUL_CACHE_DIR=str(tmp_path / "cache"), TACTFUL_DATA_DIR=str(tmp_path / "data"),
               TACTFUL_CONFIG_DIR=str(tmp_path / "config"))  # fmt: skip
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tactful.server", "review", "--base", "main", "--all",
         "--no-llm", "--format", "sarif"],
        cwd=pr.root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal, env=env,
    )  # fmt: skip
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, shown.decode(errors="replace")
    assert json.loads(out)["runs"][0]["tool"]["driver"]["name"] == "tactful"
    assert b"indexing the repository" in shown
    assert b"\x1b[" in shown  # drawn with terminal control sequences, then cleared


def test_sarif_rules_have_help_text_and_related_locations(cli, git_repo: GitRepo) -> None:
    """A call-graph rule (not a per-file check) is described too; its call sites are related."""
    from tactful.analyzers.callgraph import CALLGRAPH_RULES

    git_repo.write("lib.py", "def total(counts):\n    return sum(counts)\n")
    git_repo.write(
        "use.py", "from lib import total\n\n\ndef report(rows):\n    return total(rows)\n"
    )
    git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("lib.py", "def total(counts, scale):\n    return sum(counts) * scale\n")
    git_repo.commit("new parameter")
    run = _review(cli, git_repo, "--format", "sarif")["runs"][0]
    (rule,) = run["tool"]["driver"]["rules"]
    assert rule["id"] == "callgraph.signature-change"
    assert rule["help"]["text"] == CALLGRAPH_RULES["callgraph.signature-change"] != rule["id"]
    assert rule["defaultConfiguration"]["level"] == "warning"
    (result,) = run["results"]
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "use.py"
    assert related["physicalLocation"]["region"]["startLine"] == 5


def test_rdjson_suggestions_apply_to_the_new_text(cli, pr: GitRepo) -> None:
    data = _review(cli, pr, "--format", "rdjson")
    (diag,) = [d for d in data["diagnostics"] if d["code"]["value"] == "py.none-comparison"]
    lines = PUSH_1.split("\n")
    for suggestion in reversed(diag["suggestions"]):  # rdjson: 1-based lines, byte columns
        start, end = suggestion["range"]["start"], suggestion["range"]["end"]
        assert start["line"] == end["line"] == 11
        raw = lines[10].encode()
        raw = raw[: start["column"] - 1] + suggestion["text"].encode() + raw[end["column"] - 1 :]
        lines[10] = raw.decode()
    assert lines[10] == "    if counts is None:"
