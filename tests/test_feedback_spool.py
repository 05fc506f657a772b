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
    """Root writes read-only files, so as root the export runs as ``nobody`` (setpriv)."""
    import os
    import shutil
    import tempfile

    from support import GIT_ENV
    from tactful.server.feedback import FeedbackEvent

    drop: list[str] = []
    top = tmp_path
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv to drop to an unprivileged user")
        drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        top = Path(tempfile.mkdtemp(prefix="tactful-ro-"))  # pytest's tmp folder is root's only
        top.chmod(0o755)
    folder, out = top / "ro", top / "out"
    folder.mkdir()
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    db = folder / "feedback.sqlite3"
    finding = _finding()
    with FeedbackStore.open(db) as store:
        store.record(FeedbackEvent.from_finding("rejected", finding))
    db.chmod(0o444)
    folder.chmod(0o555)
    env = {**os.environ, **GIT_ENV, "HOME": str(out), "TACTFUL_DATA_DIR": str(out / "d"),
           "TACTFUL_CACHE_DIR": str(out / "c"), "TACTFUL_CONFIG_DIR": str(out / "cfg")}  # fmt: skip
    try:
        result = subprocess.run(
            [*drop, sys.executable, "-m", "tactful.server", "feedback", "export",
             "--db", str(db), "--out", str(out / "out.jsonl")],
            capture_output=True, text=True, env=env, cwd=out, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert (out / "out.jsonl").read_text().count("\n") == 1
        assert sorted(p.name for p in folder.iterdir()) == ["feedback.sqlite3"]  # nothing written
    finally:
        folder.chmod(0o755)
        if top != tmp_path:
            shutil.rmtree(top, ignore_errors=True)


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
