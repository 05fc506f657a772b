"""The feedback log: one SQLite file per user, WAL mode, schema migrated by ``user_version``.

Writers are short transactions (``BEGIN IMMEDIATE`` ... ``COMMIT``) with a busy timeout and
a bounded retry on ``SQLITE_BUSY``, so two editors can log at once. WAL keeps every committed
transaction through a writer killed mid-write: an interrupted transaction is rolled back
when the next connection opens the file. Context snapshots (prompt and code) are stored once,
addressed by their content hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from tactful.server.feedback.events import FeedbackEvent

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2

# Migration N brings a database from user_version N-1 to N; never edit a shipped one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE snapshots (
        id TEXT PRIMARY KEY,
        prompt TEXT NOT NULL,
        code TEXT NOT NULL,
        created REAL NOT NULL
    );
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        time REAL NOT NULL,
        kind TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        suggestion_id TEXT NOT NULL DEFAULT '',
        rule TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL DEFAULT '',
        severity TEXT NOT NULL DEFAULT '',
        path TEXT NOT NULL DEFAULT '',
        unit TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL DEFAULT '',
        fix TEXT,
        confidence REAL,
        snapshot_id TEXT NOT NULL DEFAULT '',
        repository TEXT NOT NULL DEFAULT '',
        client TEXT NOT NULL DEFAULT '',
        user TEXT NOT NULL DEFAULT '',
        team TEXT NOT NULL DEFAULT '',
        probability REAL,
        propensity REAL,
        explored INTEGER NOT NULL DEFAULT 0,
        reason TEXT NOT NULL DEFAULT '',
        extra TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_fingerprint ON events (fingerprint);
    CREATE INDEX events_time ON events (time);
    """,
    """
    CREATE TABLE gate_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated REAL NOT NULL
    );
    CREATE INDEX events_user_rule ON events (user, rule);
    """,
)

_COLUMNS = (
    "time", "kind", "fingerprint", "suggestion_id", "rule", "source", "category", "severity",
    "path", "unit", "message", "fix", "confidence", "snapshot_id", "repository", "client",
    "user", "team", "probability", "propensity", "explored", "reason", "extra",
)  # fmt: skip


class FeedbackStoreError(Exception):
    """The feedback database cannot be opened or written; the message is one line."""


def snapshot_id(prompt: str, code: str) -> str:
    """Content address of a context snapshot."""
    digest = hashlib.sha256()
    for part in (prompt, code):
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:24]


class FeedbackStore:
    """The SQLite feedback log of one user. Open with :meth:`open`."""

    def __init__(self, path: Path, connection: sqlite3.Connection, retries: int) -> None:
        self.path = path
        self._db = connection
        self._retries = retries

    @classmethod
    def open(cls, path: Path, *, busy_timeout_s: float = 5.0, retries: int = 5) -> FeedbackStore:
        """Open (creating and migrating as needed) the log at ``path``.

        Raises :class:`FeedbackStoreError` with a one-line reason for a corrupt, locked or
        unwritable file, or one written by a newer tactful.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(
                path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise FeedbackStoreError(f"feedback log {path}: cannot open: {exc}") from exc
        store = cls(path, db, retries)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            store._retry(lambda: db.execute("PRAGMA journal_mode = WAL").fetchone())
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            store._retry(store._migrate)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise FeedbackStoreError(f"feedback log {path}: {_describe(exc)}") from exc
        except FeedbackStoreError:
            db.close()
            raise
        return store

    @classmethod
    def open_read_only(cls, path: Path) -> FeedbackStore:
        """Open the log at ``path`` for reading only (exports and stats of a store you cannot write).

        A WAL database in a read-only folder cannot even be read normally (SQLite wants its
        shared-memory file), so that case is read as immutable.
        """
        path = Path(path)
        if not path.exists():
            raise FeedbackStoreError(f"feedback log {path} does not exist")
        last: Exception | None = None
        for query in ("mode=ro", "immutable=1"):
            try:
                db = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True, isolation_level=None,
                                     check_same_thread=False)  # fmt: skip
                store = cls(path, db, 0)
                version = store.schema_version
                db.execute("SELECT COUNT(*) FROM events").fetchone()
            except sqlite3.Error as exc:
                last = exc
                continue
            if version > SCHEMA_VERSION:
                db.close()
                raise FeedbackStoreError(
                    f"feedback log {path}: schema version {version} is newer than this tactful ({SCHEMA_VERSION})"
                )
            return store
        raise FeedbackStoreError(f"feedback log {path}: cannot read: {last}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise FeedbackStoreError(
                f"feedback log {self.path}: schema version {version} is newer than this tactful ({SCHEMA_VERSION})"
            )
        if version == SCHEMA_VERSION:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have migrated meanwhile.
            version = self.schema_version
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number - 1].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _retry(self, action: Any) -> Any:
        """Run ``action``; on SQLITE_BUSY beyond the busy timeout, back off and try again."""
        delay = 0.05
        for attempt in range(self._retries + 1):
            try:
                return action()
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or attempt == self._retries:
                    raise
                log.debug("feedback log busy, retry %d: %s", attempt + 1, exc)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        raise AssertionError("unreachable")

    def _write(self, statements: Iterable[tuple[str, tuple[Any, ...]]]) -> None:
        todo = list(statements)

        def run() -> None:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in todo:
                    self._db.execute(sql, params)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

        try:
            self._retry(run)
        except sqlite3.DatabaseError as exc:
            raise FeedbackStoreError(f"feedback log {self.path}: {_describe(exc)}") from exc

    def record(self, event: FeedbackEvent) -> None:
        """Append one event (committed when this returns)."""
        self.record_many([event])

    def record_many(self, events: Iterable[FeedbackEvent]) -> None:
        """Append events in one transaction: all of them or none."""
        sql = (
            f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
        )
        self._write((sql, _row(e)) for e in events)

    def snapshot(self, prompt: str, code: str) -> str:
        """Store a context snapshot once; returns its content id."""
        sid = snapshot_id(prompt, code)
        self._write([("INSERT OR IGNORE INTO snapshots (id, prompt, code, created) VALUES (?, ?, ?, ?)",
                      (sid, prompt, code, time.time()))])  # fmt: skip
        return sid

    def get_snapshot(self, sid: str) -> tuple[str, str] | None:
        """(prompt, code) of a snapshot, or None."""
        row = self._db.execute("SELECT prompt, code FROM snapshots WHERE id = ?", (sid,)).fetchone()
        return (row[0], row[1]) if row else None

    def events(
        self,
        *,
        kinds: Iterable[str] | None = None,
        since: float | None = None,
        fingerprint: str | None = None,
        user: str | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> list[FeedbackEvent]:
        """Events in log order, filtered by kind, time, fingerprint, hashed user, or row number."""
        return list(self.iter_events(kinds=kinds, since=since, fingerprint=fingerprint,
                                     user=user, after_seq=after_seq, limit=limit))  # fmt: skip

    def iter_events(
        self,
        *,
        kinds: Iterable[str] | None = None,
        since: float | None = None,
        fingerprint: str | None = None,
        user: str | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> Iterator[FeedbackEvent]:
        where: list[str] = ["seq > ?"]
        params: list[Any] = [after_seq]
        if kinds is not None:
            kind_list = list(kinds)
            where.append(f"kind IN ({', '.join('?' * len(kind_list))})")
            params.extend(kind_list)
        if since is not None:
            where.append("time >= ?")
            params.append(since)
        if fingerprint is not None:
            where.append("fingerprint = ?")
            params.append(fingerprint)
        if user is not None:
            where.append("user = ?")
            params.append(user)
        sql = f"SELECT seq, {', '.join(_COLUMNS)} FROM events WHERE {' AND '.join(where)} ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        try:
            for row in self._db.execute(sql, params):
                yield _event(row)
        except sqlite3.DatabaseError as exc:
            raise FeedbackStoreError(f"feedback log {self.path}: {_describe(exc)}") from exc

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def save_state(self, key: str, value: dict[str, Any]) -> None:
        """Persist learned state (the gate's per-user model) beside the log."""
        self._write([("INSERT OR REPLACE INTO gate_state (key, value, updated) VALUES (?, ?, ?)",
                      (key, json.dumps(value, separators=(",", ":")), time.time()))])  # fmt: skip

    def load_state(self, key: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT value FROM gate_state WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def export_jsonl(self, out: IO[str]) -> int:
        """Every event as one JSON line, its context snapshot inlined; returns the count."""
        from tactful.server.feedback.export import write_jsonl

        return write_jsonl(self, out)

    def export_dpo(self, out: IO[str]) -> int:
        """Chosen/rejected pairs grouped by context, as JSON lines; returns the pair count."""
        from tactful.server.feedback.export import write_dpo

        return write_dpo(self, out)


def _row(e: FeedbackEvent) -> tuple[Any, ...]:
    return (
        e.time, e.kind, e.fingerprint, e.suggestion_id, e.rule, e.source, e.category, e.severity,
        e.path, e.unit, e.message, json.dumps(e.fix) if e.fix is not None else None, e.confidence,
        e.snapshot_id, e.repository, e.client, e.user, e.team, e.probability, e.propensity,
        int(e.explored), e.reason, json.dumps(e.extra, separators=(",", ":")),
    )  # fmt: skip


def _event(row: tuple[Any, ...]) -> FeedbackEvent:
    values = dict(zip(("seq", *_COLUMNS), row, strict=True))
    values["fix"] = json.loads(values["fix"]) if values["fix"] else None
    values["extra"] = json.loads(values["extra"]) if values["extra"] else {}
    values["explored"] = bool(values["explored"])
    return FeedbackEvent(**values)


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    if "not a database" in text or "malformed" in text:
        return f"corrupt database ({text}); move it aside to start a new log"
    if "locked" in text or "busy" in text:
        return f"database is locked by another process ({text})"
    return text
