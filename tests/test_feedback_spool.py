"""Feedback under a locked store: acknowledged means durable, even through kill -9 (real SQLite, real processes)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from tactful.analyzers.model import Finding, Severity, Span
from tactful.server.feedback import FeedbackStore


def _finding() -> Finding:
    return Finding(
        path="a.py",
        span=Span(1, 0, 1, 1),
        severity=Severity.WARNING,
        rule="r",
        message="m",
        code="x",
    )


WRITER = r"""
import sys
from pathlib import Path

import pytest
from tactful.analyzers.model import Finding, Severity, Span
from tactful.server.feedback.sink import FeedbackSink

sink = FeedbackSink(Path(sys.argv[1]), user="dev", client="vscode", retry_interval_s=3600)
for n in range(int(sys.argv[2])):
    finding = Finding(path="a.py", span=Span(1, 0, 1, 1), severity=Severity.WARNING, rule="py.debug-print",
                      message="m", code=f"print({n})")
    print("ack" if sink.record("dismissed", finding) else "memory", flush=True)
print("done", flush=True)
sys.stdin.read()  # stay alive until killed
"""


def test_events_acknowledged_while_the_db_is_locked_survive_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "feedback.sqlite3"
    FeedbackStore.open(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock throughout
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), "25"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert writer.stdout is not None
    answers = []
    for line in writer.stdout:
        if line.strip() == "done":
            break
        answers.append(line.strip())
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    holder.execute("ROLLBACK")
    holder.close()
    assert answers == ["ack"] * 25
    assert (tmp_path / "feedback.sqlite3.spool.jsonl").exists()
    # The next writer moves the spool into the store first; nothing acknowledged is lost.
    from tactful.server.feedback.sink import FeedbackSink

    sink = FeedbackSink(db)
    assert sink.flush()
    sink.close()
    with FeedbackStore.open(db) as store:
        events = store.events(kinds=["dismissed"])
    assert len(events) == 25
    assert sorted(e.fingerprint for e in events) == sorted({e.fingerprint for e in events})
    assert not (tmp_path / "feedback.sqlite3.spool.jsonl").exists()


def test_when_nothing_can_be_written_the_event_is_not_acknowledged(tmp_path: Path) -> None:
    from tactful.server.feedback.sink import FeedbackSink

    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the log's folder should be")
    sink = FeedbackSink(blocked / "feedback.sqlite3")
    finding = _finding()
    assert sink.record("rejected", finding) is False
    assert sink.pending == 1 and sink.last_error


def test_export_reads_a_store_in_a_read_only_folder(tmp_path: Path) -> None:
    import os

    from support import run_cli
    from tactful.server.feedback import FeedbackEvent

    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "feedback.sqlite3"
    finding = _finding()
    with FeedbackStore.open(db) as store:
        store.record(FeedbackEvent.from_finding("rejected", finding))
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        if os.access(db, os.W_OK):
            pytest.skip("running as a user who can write read-only files (root)")
        result = run_cli(
            "feedback", "export", "--db", str(db), "--out", str(tmp_path / "out.jsonl")
        )
    finally:
        folder.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.jsonl").read_text().count("\n") == 1


def test_read_only_open_reads_events_and_refuses_writes(tmp_path: Path) -> None:
    from tactful.server.feedback import FeedbackEvent, FeedbackStoreError

    db = tmp_path / "feedback.sqlite3"
    finding = _finding()
    with FeedbackStore.open(db) as store:
        store.record(FeedbackEvent.from_finding("rejected", finding))
    with FeedbackStore.open_read_only(db) as store:
        assert [e.kind for e in store.events()] == ["rejected"]
        with pytest.raises(FeedbackStoreError):
            store.record(FeedbackEvent.from_finding("accepted", finding))


def test_gate_state_is_saved_after_an_outage_without_a_closed_database_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The sink closes its store during an outage; the gate must not keep writing to that one."""
    import dataclasses

    from tactful.server.session import ReviewSession
    from tactful.server.settings import FeedbackSettings, GateSettings, Settings

    db = tmp_path / "feedback.sqlite3"
    settings = dataclasses.replace(
        Settings(),
        gate=GateSettings(enabled=True),
        feedback=FeedbackSettings(db_path=str(db)),
    )
    session = ReviewSession.open(settings, None, client="test")
    assert session.sink is not None and session.gate is not None
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the log: the sink's store closes
    session.sink.record("rejected", _finding())
    assert "locked" in session.sink.last_error
    holder.execute("COMMIT")
    holder.close()
    with caplog.at_level("WARNING"):
        session.close()
    assert "closed database" not in caplog.text
    with FeedbackStore.open(db) as store:
        assert store.load_state(session.gate.state_key) is not None
        assert [e.kind for e in store.events()] == ["rejected"]
