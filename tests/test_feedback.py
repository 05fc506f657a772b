"""The feedback log: real SQLite files, real concurrent writers, a writer killed with SIGKILL."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tactful.analyzers.model import Finding, Fix, Severity, Span, TextEdit
from tactful.server.feedback import (
    FeedbackEvent,
    FeedbackSink,
    FeedbackStore,
    FeedbackStoreError,
    hash_id,
)
from tactful.server.feedback.store import MIGRATIONS, SCHEMA_VERSION


def finding(
    rule: str = "py.debug-print", code: str = "print(x)", path: str = "src/app.py", **kw
) -> Finding:
    return Finding(path=path, span=Span(3, 4, 3, 12), severity=Severity.WARNING, rule=rule,
                   message=f"{rule} here", code=code, unit="main", **kw)  # fmt: skip


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    fix = Fix("remove the print", (TextEdit(Span(3, 0, 4, 0), ""),))
    with FeedbackStore.open(tmp_path / "f.db") as store:
        sid = store.snapshot("review this", "print(x)\n")
        event = FeedbackEvent.from_finding(
            "hidden", finding(fix=fix), snapshot_id=sid, repository="acme/app", client="nvim",
            user=hash_id("me@x"), team=hash_id("core"), probability=0.2, propensity=0.95, reason="below-threshold",
        )  # fmt: skip
        store.record(event)
        [back] = store.events()
        assert store.schema_version == SCHEMA_VERSION
    assert back.replace(seq=None) == event
    assert back.fix == {
        "description": "remove the print",
        "edits": [{"span": [3, 0, 4, 0], "new_text": ""}],
    }
    assert back.user != "me@x" and len(back.user) == 16


def test_snapshots_are_stored_once_by_content(tmp_path: Path) -> None:
    with FeedbackStore.open(tmp_path / "f.db") as store:
        first = store.snapshot("prompt", "code")
        assert store.snapshot("prompt", "code") == first
        assert store.snapshot("prompt", "code2") != first
        assert store.get_snapshot(first) == ("prompt", "code")
        assert store._db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 2


def test_migrates_an_old_schema_and_keeps_its_events(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    db.execute("INSERT INTO events (time, kind, fingerprint) VALUES (1.0, 'accepted', 'abc')")
    db.commit()
    db.close()
    with FeedbackStore.open(path) as store:
        assert store.schema_version == 2
        assert [e.fingerprint for e in store.events()] == ["abc"]
        store.save_state("gate:u", {"w": 1})
        assert store.load_state("gate:u") == {"w": 1}


def test_newer_schema_and_corrupt_file_give_one_line_errors(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(FeedbackStoreError, match="newer than this tactful"):
        FeedbackStore.open(newer)
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not sqlite" * 500)
    with pytest.raises(FeedbackStoreError) as info:
        FeedbackStore.open(corrupt)
    assert "corrupt database" in str(info.value) and "\n" not in str(info.value)


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tactful.server.feedback import FeedbackEvent, FeedbackStore
    store = FeedbackStore.open(Path(sys.argv[1]))
    name, count = sys.argv[2], int(sys.argv[3])
    print("ready", flush=True)
    sys.stdin.readline()
    for n in range(count):
        store.record(FeedbackEvent(kind="shown", fingerprint=f"{name}-{n}"))
    if len(sys.argv) > 4:
        # Leave a transaction open and wait to be killed in the middle of it.
        store._db.execute("BEGIN IMMEDIATE")
        store._db.execute("INSERT INTO events (time, kind, fingerprint) VALUES (0, 'shown', 'uncommitted')")
        print("in-transaction", flush=True)
        sys.stdin.readline()
    print("done", flush=True)
""")


def _writer(path: Path, name: str, count: int, *extra: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(count), *extra],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    FeedbackStore.open(path).close()
    writers = [_writer(path, name, 150) for name in ("vscode", "nvim")]
    for proc in writers:  # release both together
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in writers:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "done" in out
    with FeedbackStore.open(path) as store:
        fingerprints = {e.fingerprint for e in store.events()}
    assert fingerprints == {f"{name}-{n}" for name in ("vscode", "nvim") for n in range(150)}


def test_writer_killed_mid_transaction_keeps_committed_events(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    proc = _writer(path, "w", 40, "hold")
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "in-transaction"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with FeedbackStore.open(path) as store:
        fingerprints = [e.fingerprint for e in store.events()]
        store.record(
            FeedbackEvent(kind="accepted", fingerprint="after")
        )  # the write lock is free again
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert fingerprints == [f"w-{n}" for n in range(40)]


def test_sink_queues_while_the_db_is_corrupt_and_flushes_when_it_returns(
    tmp_path: Path, caplog
) -> None:
    path = tmp_path / "f.db"
    path.write_bytes(b"garbage" * 1000)
    sink = FeedbackSink(path, user="me@example.com", client="vscode", retry_interval_s=3600)
    sink.record("shown", finding(), extra={"probability": 0.8, "propensity": 1.0, "note": "x"})
    sink.record("rejected", finding(), reason="noisy")
    sink.record("no-such-kind", finding())  # dropped with a logged error, never raised
    assert sink.pending == 2
    assert "corrupt database" in sink.last_error and "\n" not in sink.last_error
    assert sum("corrupt database" in r.getMessage() for r in caplog.records) == 1
    path.unlink()
    assert sink.flush()
    with FeedbackStore.open(path) as store:
        events = store.events()
    assert [e.kind for e in events] == ["shown", "rejected"]
    assert (
        events[0].probability == 0.8
        and events[0].extra == {"note": "x"}
        and events[0].client == "vscode"
    )
    assert events[1].reason == "noisy" and events[1].user == hash_id("me@example.com")
    sink.close()


def test_sink_waits_out_a_locked_db(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    FeedbackStore.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    sink = FeedbackSink(path, retry_interval_s=3600)
    sink.record("shown", finding())
    assert sink.pending == 1 and "locked" in sink.last_error
    holder.execute("COMMIT")
    holder.close()
    assert sink.flush() and sink.pending == 0
    assert sink.store is not None and sink.store.count() == 1
    sink.close()


def test_exports_jsonl_and_dpo_pairs_by_context(tmp_path: Path) -> None:
    with FeedbackStore.open(tmp_path / "f.db") as store:
        sid = store.snapshot("Review this diff", "def f():\n    print(x)\n")
        good, bad = finding("py.debug-print"), finding("llm.style", code="def f():")
        store.record_many([
            FeedbackEvent.from_finding("shown", good, snapshot_id=sid),
            FeedbackEvent.from_finding("shown", bad, snapshot_id=sid),
            FeedbackEvent.from_finding("accepted", good, snapshot_id=sid),
            FeedbackEvent.from_finding("rejected", bad, snapshot_id=sid, reason="nit"),
            FeedbackEvent.from_finding("rejected", finding("other", path="b.py"), snapshot_id="elsewhere"),
        ])  # fmt: skip
        lines, pairs = io.StringIO(), io.StringIO()
        assert store.export_jsonl(lines) == 5
        assert store.export_dpo(pairs) == 1
    first = json.loads(lines.getvalue().splitlines()[0])
    assert first["snapshot"] == {"prompt": "Review this diff", "code": "def f():\n    print(x)\n"}
    [pair] = [json.loads(line) for line in pairs.getvalue().splitlines()]
    assert pair["prompt"] == "Review this diff" and pair["context_id"] == sid
    assert pair["chosen"].startswith("py.debug-print") and pair["rejected"].startswith("llm.style")
    assert pair["rejected_reason"] == "nit"
