"""One file's work for the repository index: read, screen, tag (in a worker process on cold builds)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from tactful.analyzers.callgraph import FileTags, extract_tags
from tactful.analyzers.filekinds import has_generated_marker, has_generated_name, is_vendored
from tactful.analyzers.languages import ParseTooSlow, detect_language


@dataclass
class Job:
    path: str
    language: str
    key: str
    abs_path: str
    max_bytes: int
    max_lines: int


@dataclass
class Outcome:
    path: str
    key: str
    tags: FileTags | None = None
    lines: int = 0
    skip: tuple[str, str] | None = None


def screen_path(path: str) -> str:
    if is_vendored(path):
        return "vendored"
    if has_generated_name(path):
        return "generated"
    if detect_language(path) is None:
        return "unknown-language"
    return ""


def content_key(path: str, data: bytes) -> str:
    """git's blob id of ``data``: the same key a committed copy of the file would get."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def run_job(job: Job) -> Outcome:
    """Read, screen and tag one file (runs in a worker process for cold builds)."""
    try:
        data = Path(job.abs_path).read_bytes()
    except OSError as exc:
        return Outcome(job.path, job.key, skip=("unreadable", exc.strerror or str(exc)))
    if len(data) > job.max_bytes:
        return Outcome(job.path, job.key, skip=("too-large", f"{len(data):,} bytes"))
    if b"\0" in data[:8192]:
        return Outcome(job.path, job.key, skip=("binary", "NUL byte in content"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Outcome(job.path, job.key, skip=("non-utf8", f"byte {exc.start}: not valid UTF-8"))
    lines = text.count("\n") + 1
    if lines > job.max_lines:
        return Outcome(job.path, job.key, skip=("too-large", f"{lines:,} lines"))
    if has_generated_marker(text):
        return Outcome(
            job.path, job.key, skip=("generated", "generated-file marker in the first lines")
        )
    try:
        tags = extract_tags(job.language, job.path, text)
    except ParseTooSlow as exc:
        return Outcome(job.path, job.key, skip=("parse-budget", str(exc)))
    except Exception as exc:  # a grammar crash on one file must not stop the index
        return Outcome(job.path, job.key, skip=("unparsable", f"{exc.__class__.__name__}: {exc}"))
    return Outcome(job.path, job.key, tags, lines)
