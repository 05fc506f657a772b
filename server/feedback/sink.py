"""A front for the feedback store that never raises: the review goes on without the log.

When the database is corrupt, locked or unwritable, each event is appended (and fsynced) to
a spool file beside it, ``<db>.spool.jsonl``, so an acknowledged event survives a kill -9;
the sink tries the store again at most every ``retry_interval_s`` (or on :meth:`flush`) and
moves the spool into it first. Only when the spool cannot be written either does an event
wait in a bounded in-memory queue, and :meth:`record` says so by returning False. The first
failure of each outage is logged as one line and kept in :attr:`last_error`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tactful.analyzers.model import Finding
from tactful.server.feedback.events import FeedbackEvent, hash_id
from tactful.server.feedback.store import FeedbackStore, FeedbackStoreError, snapshot_id
from tactful.server.settings import Settings, data_dir

log = logging.getLogger(__name__)

Listener = Callable[[FeedbackEvent], None]

# Keys of ``extra`` that map onto event fields rather than the free-form extra column.
_FIELD_KEYS = (
    "probability",
    "propensity",
    "explored",
    "suggestion_id",
    "snapshot_id",
    "repository",
)


class FeedbackSink:
    """Records feedback events; queues them in memory while the store is unavailable."""

    def __init__(
        self,
        path: Path | None,
        *,
        user: str = "",
        team: str = "",
        repository: str = "",
        client: str = "",
        retry_interval_s: float = 30.0,
        max_queue: int = 10_000,
    ) -> None:
        self.path = path
        self.user = hash_id(user)
        """Hashed user id stamped on every event."""
        self.team = hash_id(team)
        self.repository = repository
        self.client = client
        self.retry_interval_s = retry_interval_s
        self.last_error = ""
        """The one-line reason the store is unavailable, '' while it works."""
        self._queue: deque[FeedbackEvent] = deque(maxlen=max_queue)
        self._snapshots: dict[str, tuple[str, str]] = {}
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()
        self._store: FeedbackStore | None = None
        self._last_attempt = float("-inf")
        self._dropped = 0
        self.spool_path = path.with_name(path.name + ".spool.jsonl") if path is not None else None
        self._spooled = 0

    @property
    def store(self) -> FeedbackStore | None:
        """The open store, trying to (re)open it if the retry interval has passed."""
        with self._lock:
            self._ensure_store(force=False)
            return self._store

    @property
    def pending(self) -> int:
        """Events waiting for the store (spooled on disk or, failing that, in memory)."""
        return len(self._queue) + self._spooled

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event)`` for every event (e.g. the gate's online update)."""
        self._listeners.append(listener)

    def record(
        self,
        kind: str,
        finding: Finding,
        *,
        reason: str = "",
        client: str = "",
        extra: dict[str, Any] | None = None,
    ) -> bool:
        """Log ``kind`` for ``finding``; True once it is on disk (store or spool). Never raises;
        a bad event is logged and dropped."""
        # Round-trip through JSON so a value the log cannot store fails here, not at flush.
        fields = json.loads(json.dumps(dict(extra or {}), default=str))
        mapped = {k: fields.pop(k) for k in _FIELD_KEYS if k in fields}
        for key in ("probability", "propensity"):
            if key in mapped:
                mapped[key] = _number(mapped[key])
        try:
            event = FeedbackEvent.from_finding(
                kind,
                finding,
                reason=reason,
                client=client or self.client,
                user=self.user,
                team=self.team,
                repository=str(mapped.pop("repository", self.repository)),
                suggestion_id=str(mapped.pop("suggestion_id", "") or uuid.uuid4().hex[:16]),
                extra=fields,
                **mapped,
            )
        except (TypeError, ValueError) as exc:
            log.error("feedback event dropped: %s", exc)
            return False
        return self.record_event(event)

    def record_event(self, event: FeedbackEvent) -> bool:
        """Log a ready-made event; True once it is durable. Never raises."""
        with self._lock:
            if len(self._queue) == self._queue.maxlen:
                self._dropped += 1
            self._queue.append(event)
            self._drain(force=False)
            durable = not self._queue or self._spool_queue()
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a listener's bug must not cost the event or the review
                log.exception("feedback listener failed")
        return durable

    def _spool_queue(self) -> bool:
        """Append the queued events to the spool file and fsync it; True when that worked."""
        if self.spool_path is None:
            return False
        try:
            lines = "".join(
                json.dumps(dataclasses.asdict(e), default=str) + "\n" for e in self._queue
            )
            with open(self.spool_path, "a", encoding="utf-8") as spool:
                spool.write(lines)
                spool.flush()
                os.fsync(spool.fileno())
        except OSError as exc:
            self._fail(f"feedback spool {self.spool_path}: {exc.strerror or exc}")
            return False
        self._spooled += len(self._queue)
        self._queue.clear()
        return True

    def _unspool(self) -> None:
        """Move spooled events into the open store, then remove the spool."""
        assert self._store is not None
        if self.spool_path is None or not self.spool_path.exists():
            return
        events = []
        try:
            text = self.spool_path.read_text("utf-8", "replace")
        except OSError as exc:
            log.error("feedback spool %s unreadable: %s", self.spool_path, exc)
            return
        for number, line in enumerate(text.splitlines(), 1):
            try:
                data = json.loads(line)
                data.pop("seq", None)
                events.append(FeedbackEvent(**data))
            except (ValueError, TypeError) as exc:  # a torn last line from a kill mid-write
                log.error("feedback spool %s:%d skipped: %s", self.spool_path, number, exc)
        if events:
            self._store.record_many(events)
        self._spooled = 0
        try:
            self.spool_path.unlink()
        except OSError as exc:
            log.error("feedback spool %s not removed: %s", self.spool_path, exc)

    def snapshot(self, prompt: str, code: str) -> str:
        """Content id of a context snapshot; stored now, or when the store returns."""
        sid = snapshot_id(prompt, code)
        with self._lock:
            self._snapshots[sid] = (prompt, code)
            self._drain(force=False)
        return sid

    def save_state(self, key: str, value: dict[str, Any]) -> bool:
        """Persist learned state through the store open now; False (logged once) when it is away.

        The gate saves through the sink rather than keeping a store of its own: the sink closes
        and reopens its store across an outage, so a store kept elsewhere would be a closed one.
        """
        with self._lock:
            self._ensure_store(force=True)
            if self._store is None:
                return False
            try:
                self._store.save_state(key, value)
            except FeedbackStoreError as exc:
                self._store.close()
                self._store = None
                self._last_attempt = time.monotonic()
                self._fail(str(exc))
                return False
            return True

    def flush(self) -> bool:
        """Try the store now and write everything queued; True when nothing is left waiting."""
        with self._lock:
            self._drain(force=True)
            spooled = self.spool_path is not None and self.spool_path.exists()
            return not self._queue and not self._snapshots and not spooled

    def close(self) -> None:
        with self._lock:
            self._drain(force=True)
            if self._queue and not self._spool_queue():
                log.warning(
                    "feedback log unavailable: %d events lost at exit (%s)",
                    len(self._queue),
                    self.last_error,
                )
            if self._store is not None:
                self._store.close()
                self._store = None

    def _ensure_store(self, force: bool) -> None:
        if self._store is not None or self.path is None:
            return
        now = time.monotonic()
        if not force and now - self._last_attempt < self.retry_interval_s:
            return
        self._last_attempt = now
        try:
            self._store = FeedbackStore.open(self.path, busy_timeout_s=0.5, retries=1)
        except FeedbackStoreError as exc:
            self._fail(str(exc))
            return
        if self.last_error:
            log.info("feedback log available again: %s", self.path)
        self.last_error = ""

    def _drain(self, force: bool) -> None:
        self._ensure_store(force)
        if self._store is None:
            return
        try:
            self._unspool()
            for sid, (prompt, code) in list(self._snapshots.items()):
                self._store.snapshot(prompt, code)
                del self._snapshots[sid]
            if self._queue:
                try:
                    self._store.record_many(list(self._queue))
                except (TypeError, ValueError, sqlite3.InterfaceError):
                    self._record_one_by_one()
                self._queue.clear()
            if self._dropped:
                log.warning("feedback queue was full: %d events were dropped", self._dropped)
                self._dropped = 0
        except FeedbackStoreError as exc:
            self._store.close()
            self._store = None
            self._last_attempt = time.monotonic()
            self._fail(str(exc))

    def _record_one_by_one(self) -> None:
        """Store what can be stored; drop (and log) events the log cannot hold."""
        assert self._store is not None
        for event in list(self._queue):
            try:
                self._store.record(event)
            except (TypeError, ValueError, sqlite3.InterfaceError) as exc:
                log.error("feedback event dropped (%s %s): %s", event.kind, event.fingerprint, exc)

    def _fail(self, message: str) -> None:
        if message != self.last_error:
            log.error("%s; review continues, events are kept in memory", message)
        self.last_error = message


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def feedback_path(settings: Settings) -> Path:
    """The feedback log of this user: ``feedback.dbPath``, else ``feedback.sqlite3`` in the data dir."""
    return (
        Path(settings.feedback.db_path)
        if settings.feedback.db_path
        else data_dir() / "feedback.sqlite3"
    )


def open_sink(
    settings: Settings, *, client: str, repository: str = "", user: str = ""
) -> FeedbackSink:
    """The sink for ``settings``; ``user`` (raw, e.g. the git email) is used when ``feedback.user`` is empty."""
    return FeedbackSink(
        feedback_path(settings), user=settings.feedback.user or user, team=settings.feedback.team,
        repository=repository, client=client,
    )  # fmt: skip
