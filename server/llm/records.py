"""CodeReviewer-format records (``patch``, ``oldf``, ``msg``, ``lang``) as reviewable changes.

Used by ``tactful eval comments`` and the prompt benchmarks. A record holds the old file and
one bare hunk; the new file is the old one with the hunk applied (leniently: the hunk's own
lines win where the record's context disagrees).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tactful.analyzers.diff import DiffError, parse_hunk
from tactful.analyzers.languages import SPECS, normalize_language
from tactful.analyzers.model import ChangeSet
from tactful.analyzers.patch import PatchMismatch, apply_file_change, sparse_new_text
from tactful.server.pipeline import Change


@dataclass(frozen=True)
class Record:
    number: int
    """1-based line of the record in its file."""
    language: str
    message: str
    change: Change
    old_text: str
    new_text: str


@dataclass(frozen=True)
class _TextSource:
    path: str
    old_text: str
    new_text: str

    def old(self, path: str) -> bytes | None:
        return (
            self.old_text.encode("utf-8", "surrogateescape")
            if path == self.path and self.old_text
            else None
        )

    def new(self, path: str) -> bytes | None:
        return self.new_text.encode("utf-8", "surrogateescape") if path == self.path else None


def read_records(path: str | Path, limit: int | None = None) -> Iterator[Record | str]:
    """Each usable record, or a one-line error naming the line of a record that is not."""
    with open(path, encoding="utf-8") as handle:
        yielded = 0
        for number, line in enumerate(handle, 1):
            if limit is not None and yielded >= limit:
                return
            if not line.strip():
                continue
            yielded += 1
            try:
                yield to_record(json.loads(line), number)
            except (ValueError, KeyError, TypeError, DiffError) as exc:
                yield f"{path}:{number}: skipped record: {exc.__class__.__name__}: {exc}"


def to_record(data: dict[str, Any], number: int = 0) -> Record:
    language = normalize_language(str(data["lang"]))
    if language is None:
        raise ValueError(f"unknown language {data['lang']!r}")
    path = "file" + SPECS[language].extensions[0]
    file_change = parse_hunk(str(data["patch"]), path)
    old_text = str(data.get("oldf") or "")
    try:
        new_text = apply_file_change(old_text, file_change, strict=False)
    except PatchMismatch:
        new_text = sparse_new_text(file_change)
    change = Change(
        ChangeSet((file_change,)), _TextSource(path, old_text, new_text), None, f"record {number}"
    )
    return Record(number, language, str(data.get("msg") or ""), change, old_text, new_text)
