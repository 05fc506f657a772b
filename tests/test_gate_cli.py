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
        rows.append({"patch": patch, "y": n % 2, "lang": "py" if n % 4 < 2 else "go", "proj": "a-b", "oldf": ""})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def make_log(path: Path) -> Path:
    with FeedbackStore.open(path) as store:
        sid = store.snapshot("Review", "code")
        for n, (rule, verdict) in enumerate([("py.debug-print", "accepted"), ("llm.style", "rejected")] * 3):
            f = Finding(path="a.py", span=Span(1, 0, 1, 5), severity=Severity.INFO, rule=rule, message=rule,
                        code=f"c{n}", unit="f")  # fmt: skip
            store.record(FeedbackEvent.from_finding("shown", f, snapshot_id=sid, probability=0.6, propensity=1.0))
            store.record(FeedbackEvent.from_finding(verdict, f, snapshot_id=sid, user="u"))
    return path


def test_gate_eval_reports_cross_validated_figures_and_a_reliability_diagram(cli, tmp_path: Path) -> None:
    data = write_records(tmp_path / "qe.jsonl")
    out = tmp_path / "plots"
    result = cli("gate", "eval", "--data", str(data), "--out", str(out), "--folds", "3", "--repeats", "1")
    assert result.returncode == 0, result.stderr
    for text in ("all hunks", "without new-file hunks", "always show", "AUC", "ECE", "CodeReviewer", "lang go"):
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
    assert "py.debug-print" in stats.stdout and "100%" in stats.stdout and png.read_bytes().startswith(b"\x89PNG")
    missing = cli("stats", "--db", str(tmp_path / "nope.db"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_gate_train_writes_a_prior_and_replays_the_log(cli, tmp_path: Path) -> None:
    out = tmp_path / "prior.json"
    result = cli("gate", "train", "--data", str(write_records(tmp_path / "qe.jsonl")), "--out", str(out))
    assert result.returncode == 0, result.stderr
    prior = json.loads(out.read_text())
    assert prior["stage1"]["trained_on"] == 40 and prior["stage2"]["weights"]
    db = make_log(tmp_path / "f.db")
    result = cli("gate", "train", "--db", str(db))
    assert result.returncode == 0 and "6 verdicts" in result.stdout
    with FeedbackStore.open(db) as store:
        assert store.load_state("gate:u") is not None
