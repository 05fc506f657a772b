"""A front for the feedback store that never raises: the review goes on without the log.

When the database is corrupt, locked or unwritable, events wait in a bounded in-memory queue
and the sink tries the store again at most every ``retry_interval_s`` (or on :meth:`flush`);
the first failure of each outage is logged as one line and kept in :attr:`last_error`.
"""

from __future__ import annotations

import json
import logging
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
_FIELD_KEYS = ("probability", "propensity", "explored", "suggestion_id", "snapshot_id", "repository")


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

    @property
    def store(self) -> FeedbackStore | None:
        """The open store, trying to (re)open it if the retry interval has passed."""
        with self._lock:
            self._ensure_store(force=False)
            return self._store

    @property
    def pending(self) -> int:
        """Events waiting for the store."""
        return len(self._queue)

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event)`` for every event (e.g. the gate's online update)."""
        self._listeners.append(listener)

    def record(
        self, kind: str, finding: Finding, *, reason: str = "", client: str = "", extra: dict[str, Any] | None = None
    ) -> None:
        """Log ``kind`` for ``finding``. Never raises; a bad event is logged and dropped."""
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
            return
        self.record_event(event)

    def record_event(self, event: FeedbackEvent) -> None:
        """Log a ready-made event. Never raises."""
        with self._lock:
            if len(self._queue) == self._queue.maxlen:
                self._dropped += 1
            self._queue.append(event)
            self._drain(force=False)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a listener's bug must not cost the event or the review
                log.exception("feedback listener failed")

    def snapshot(self, prompt: str, code: str) -> str:
        """Content id of a context snapshot; stored now, or when the store returns."""
        sid = snapshot_id(prompt, code)
        with self._lock:
            self._snapshots[sid] = (prompt, code)
            self._drain(force=False)
        return sid

    def flush(self) -> bool:
        """Try the store now and write everything queued; True when nothing is left waiting."""
        with self._lock:
            self._drain(force=True)
            return not self._queue and not self._snapshots

    def close(self) -> None:
        with self._lock:
            self._drain(force=True)
            if self._queue:
                log.warning("feedback log unavailable: %d events lost at exit (%s)", len(self._queue), self.last_error)
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
    return Path(settings.feedback.db_path) if settings.feedback.db_path else data_dir() / "feedback.sqlite3"


def open_sink(settings: Settings, *, client: str, repository: str = "", user: str = "") -> FeedbackSink:
    """The sink for ``settings``; ``user`` (raw, e.g. the git email) is used when ``feedback.user`` is empty."""
    return FeedbackSink(
        feedback_path(settings), user=settings.feedback.user or user, team=settings.feedback.team,
        repository=repository, client=client,
    )  # fmt: skip
