"""Cached model replies, keyed by prompt hash and model, under ``<cache dir>/llm``.

Re-reviewing an unchanged unit sends the same prompt, so it costs no tokens. The cache is
a :mod:`diskcache` store; when it cannot be opened (read-only home, corrupt database) the
review keeps a per-process memory cache and says so once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CACHE_VERSION = 1
EXPIRE_S = 30 * 24 * 3600


class ReplyCache:
    """``get``/``put`` of reply records (text and token counts) by key."""

    def __init__(self, directory: Path | None) -> None:
        self.problem = ""
        self._memory: dict[str, dict[str, Any]] = {}
        self._disk: Any = None
        if directory is None:
            return
        try:
            import diskcache

            self._disk = diskcache.Cache(str(directory / "llm"), size_limit=256 * 2**20)
            log.info("LLM reply cache opened at %s", directory / "llm")
        except Exception as exc:  # any failure to open degrades to memory
            self.problem = f"LLM reply cache at {directory / 'llm'} unusable ({exc.__class__.__name__}: {exc}); using memory"
            log.warning("%s", self.problem)

    def get(self, key: str) -> dict[str, Any] | None:
        full = f"v{CACHE_VERSION}:{key}"
        if full in self._memory:
            return self._memory[full]
        if self._disk is None:
            return None
        try:
            value = self._disk.get(full)
        except Exception as exc:
            log.warning("LLM cache read failed: %s", exc)
            return None
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        full = f"v{CACHE_VERSION}:{key}"
        if self._disk is None:
            self._memory[full] = value
            return
        try:
            self._disk.set(full, value, expire=EXPIRE_S)
        except Exception as exc:
            log.warning("LLM cache write failed: %s", exc)
            self._memory[full] = value

    def close(self) -> None:
        if self._disk is not None:
            try:
                self._disk.close()
            except Exception:  # closing is best effort
                log.debug("closing the LLM cache failed", exc_info=True)
