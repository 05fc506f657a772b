"""The real CLI: ``tactful gate eval|train``, ``tactful feedback export``, ``tactful stats``."""

from __future__ import annotations

import json
from pathlib import Path

from tactful.analyzers.model import Finding, Severity, Span
from tactful.server.feedback import FeedbackEvent, FeedbackStore


def write_records(path: Path, count: int = 40) -> Path:
    """Quality-estimation-shaped records: commented hunks add error handling, others rename."""
    rows = []
    for n in range(count):
        if n % 2:
            patch = f"@@ -{n},2 +{n},3 @@\n ctx\n-x = load({n})\n+try:\n+    x = load({n})\n+except Exception: pass"
        else:
            patch = f"@@ -{n},2 +{n},2 @@\n ctx\n-value_{n} = 1\n+renamed_{n} = 1"
        rows.append(
            {
                "patch": patch,
                "y": n % 2,
                "lang": "py" if n % 4 < 2 else "go",
                "proj": "a-b",
                "oldf": "",
            }
        )
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def make_log(path: Path) -> Path:
    with FeedbackStore.open(path) as store:
        sid = store.snapshot("Review", "code")
        for n, (rule, verdict) in enumerate(
            [("py.debug-print", "accepted"), ("llm.style", "rejected")] * 3
        ):
            f = Finding(path="a.py", span=Span(1, 0, 1, 5), severity=Severity.INFO, rule=rule, message=rule,
                        code=f"c{n}", unit="f")  # fmt: skip
            store.record(
                FeedbackEvent.from_finding(
                    "shown", f, snapshot_id=sid, probability=0.6, propensity=1.0
                )
            )
            store.record(FeedbackEvent.from_finding(verdict, f, snapshot_id=sid, user="u"))
    return path


def test_gate_eval_reports_cross_validated_figures_and_a_reliability_diagram(
    cli, tmp_path: Path
) -> None:
    data = write_records(tmp_path / "qe.jsonl")
    out = tmp_path / "plots"
    result = cli(
        "gate", "eval", "--data", str(data), "--out", str(out), "--folds", "3", "--repeats", "1"
    )
    assert result.returncode == 0, result.stderr
    for text in (
        "all hunks",
        "without new-file hunks",
        "always show",
        "AUC",
        "ECE",
        "CodeReviewer",
        "lang go",
    ):
        assert text in result.stdout
    assert (out / "gate-reliability-1.png").read_bytes().startswith(b"\x89PNG")


def test_gate_eval_of_a_feedback_export_and_bad_input(cli, tmp_path: Path) -> None:
    export = tmp_path / "events.jsonl"
    db = make_log(tmp_path / "f.db")
    assert cli("feedback", "export", "--db", str(db), "--out", str(export)).returncode == 0
    result = cli("gate", "eval", "--data", str(export), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "stage 2 from the feedback log" in result.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"patch": "@@ -1 +1 @@\\n-a\\n+b", "y": 1}\n{"patch": 3}\n', encoding="utf-8")
    result = cli("gate", "eval", "--data", str(bad))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and f"{bad}:2" in result.stderr


def test_feedback_export_formats_and_stats(cli, tmp_path: Path) -> None:
    db = make_log(tmp_path / "f.db")
    jsonl = cli("feedback", "export", "--db", str(db), "--format", "jsonl")
    assert jsonl.returncode == 0 and len(jsonl.stdout.splitlines()) == 12
    dpo = cli("feedback", "export", "--db", str(db), "--format", "dpo")
    pairs = [json.loads(line) for line in dpo.stdout.splitlines()]
    assert len(pairs) == 9 and {p["prompt"] for p in pairs} == {"Review"}
    png = tmp_path / "stats.png"
    stats = cli("stats", "--db", str(db), "--png", str(png))
    assert stats.returncode == 0, stats.stderr
    assert (
        "py.debug-print" in stats.stdout
        and "100%" in stats.stdout
        and png.read_bytes().startswith(b"\x89PNG")
    )
    missing = cli("stats", "--db", str(tmp_path / "nope.db"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_gate_train_writes_a_prior_and_replays_the_log(cli, tmp_path: Path) -> None:
    out = tmp_path / "prior.json"
    result = cli(
        "gate", "train", "--data", str(write_records(tmp_path / "qe.jsonl")), "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    prior = json.loads(out.read_text())
    assert prior["stage1"]["trained_on"] == 40 and prior["stage2"]["weights"]
    db = make_log(tmp_path / "f.db")
    result = cli("gate", "train", "--db", str(db))
    assert result.returncode == 0 and "6 verdicts" in result.stdout
    with FeedbackStore.open(db) as store:
        assert store.load_state("gate:u") is not None


def _verdict_line(
    n: int, action: str, rule: str, path: str = "src/app.py", user: str = "ana"
) -> str:
    finding = {
        "path": path, "line": 3, "column": 5, "endLine": 3, "endColumn": 12, "severity": "warning",
        "rule": rule, "category": "style", "source": "checks", "message": f"{rule} fired",
        "unit": "f", "confidence": 0.5, "fingerprint": f"{n:016x}",
    }  # fmt: skip
    when = f"2026-11-{1 + n // 100:02d}T{(n // 60) % 24:02d}:{n % 60:02d}:00Z"
    return json.dumps(
        {"time": when, "user": user, "repo": "r", "action": action, "finding": finding}
    )


def test_gate_replay_reports_the_three_figures_from_a_jsonl_log(cli, tmp_path: Path) -> None:
    # A developer who rejects every TODO finding and accepts every debug-print finding.
    lines = [
        _verdict_line(
            n, "rejected" if n % 2 else "accepted", "hygiene.todo" if n % 2 else "py.debug-print"
        )
        for n in range(200)
    ]
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n")
    png = tmp_path / "curve.png"
    result = cli(
        "gate",
        "replay",
        "--events",
        str(events),
        "--format",
        "json",
        "--png",
        str(png),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["events"] == 200 and report["users"] == 1
    for key in ("rejects_hidden", "accepts_kept", "hide_precision"):
        assert 0.0 <= report[key] <= 1.0
    # Learned within the log, under the hide constraint: the first ~20 rejects are shown
    # (the log does not yet support the bound), then every reject is hidden, never an accept.
    assert (
        report["rejects_hidden"] > 0.4
        and report["accepts_kept"] == 1.0
        and report["hide_precision"] == 1.0
    )
    assert report["curve"][-1]["rejects_hidden"] == 1.0
    assert png.stat().st_size > 0


def test_gate_replay_names_the_bad_line(cli, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(
        _verdict_line(0, "accepted", "py.debug-print") + "\n" + '{"time": "x", "action": "nope"}\n'
    )
    result = cli("gate", "replay", "--events", str(events), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{events}:2: 'action' must be one of" in result.stderr


def test_gate_eval_scores_the_shipped_prior_and_reports_the_position_artifact(
    cli, tmp_path: Path
) -> None:
    rows = [
        {"patch": f"@@ -{n},2 +{n},3 @@\n ctx\n+x = {n}\n-y\n", "y": int(n % 3 == 0), "lang": "py",
         "proj": "p", "idx": 1 if n % 3 == 0 else 2}
        for n in range(1, 31)
    ]  # fmt: skip
    data = tmp_path / "qe.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    shipped = cli(
        "gate",
        "eval",
        "--data",
        str(data),
        "--out",
        str(tmp_path),
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert shipped.returncode == 0, shipped.stderr
    report = json.loads(shipped.stdout)
    assert not report["cross_validated"]
    titles = [r["title"] for r in report["reports"]]
    assert titles[:2] == ["all hunks", "first hunks only (idx == 1)"]
    first = report["reports"][0]["rows"]
    assert first[0]["name"] == "gate (shipped prior)" and first[0]["n"] == 30
    # Position alone separates this data perfectly: the artifact is shown beside the gate.
    position = next(r for r in first if r["name"] == "position only (idx == 1)")
    assert position["auc"] == 1.0
    cv = cli(
        "gate",
        "eval",
        "--data",
        str(data),
        "--out",
        str(tmp_path),
        "--format",
        "json",
        "--cv",
        cwd=tmp_path,
    )
    assert (
        cv.returncode == 0
        and json.loads(cv.stdout)["reports"][0]["rows"][0]["name"] == "gate (cross-validated)"
    )


def test_stats_shows_what_the_developer_keeps_rejecting_of_the_floor(cli, tmp_path: Path) -> None:
    from tactful.analyzers.model import Finding, Severity, Span
    from tactful.server.feedback import FeedbackEvent

    db = tmp_path / "f.db"
    with FeedbackStore.open(db) as store:
        for n in range(20):
            sql = Finding(path="src/db.py", span=Span(2, 0, 2, 9), severity=Severity.ERROR, rule="generic.sql-injection",
                          category="security", message="query built from input", code=f"q{n}")  # fmt: skip
            store.record_many([FeedbackEvent.from_finding("shown", sql, reason="floor"),
                               FeedbackEvent.from_finding("rejected", sql)])  # fmt: skip
    result = cli("stats", "--db", str(db), "--png", str(tmp_path / "s.png"))
    assert result.returncode == 0, result.stderr
    assert "never silenced" in result.stdout
    row = next(
        line
        for line in result.stdout.splitlines()
        if "generic.sql-injection" in line and "0%" in line
    )
    assert "20" in row
