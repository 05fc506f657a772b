"""Parse unified diffs (``git diff``, ``diff -u``, ``git format-patch`` mails, bare ``@@``
hunks) into a :class:`ChangeSet`; every problem is a :class:`DiffError` naming a 1-based line.

``unidiff`` finds the files and checks each hunk body against its header counts; the git
extended headers (renames, copies, modes, binary, quoted paths) are read in ``diff_header``. Choices:

* A diff whose every line ends in CRLF parses exactly as its LF twin. In a mixed diff (git diff
  of a CRLF file) CRs go from structure lines but stay on hunk body lines: there they are content.
* Text before the first file (mail headers) and after a complete hunk (a ``-- `` signature) is
  tolerated, but a line right after a hunk that looks like hunk content means wrong counts.
* A context line that lost its leading space (blank line inside a hunk) is kept as ``" "``.
* Paths are as git wrote them, unquoted (non-UTF-8 bytes as surrogate escapes), ``a/``/``b/``
  stripped, ``/dev/null`` as None; whether they escape the repository is the caller's check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tactful.analyzers.diff_header import (
    DEV_NULL,
    GIT_HEADER_PREFIXES,
    DiffLines,
    file_paths,
    read_header,
)
from tactful.analyzers.model import ChangeSet, FileChange, FileStatus, Hunk
from unidiff import PatchSet, UnidiffParseError
from unidiff.patch import PatchedFile

HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class DiffError(ValueError):
    """The diff text could not be parsed; ``line`` is the 1-based line of the diff text."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def parse_diff(text: str) -> ChangeSet:
    """Parse a git or plain unified diff (or bare ``@@`` hunks, as one file with path ``""``)."""
    doc = DiffLines.of(text)
    if not doc.first:
        return ChangeSet(files=())
    if doc.at(doc.first).startswith("@@"):
        return ChangeSet(files=(parse_hunk(text, ""),))
    patch, headers = _run_unidiff(doc, shift=0)
    if not patch:
        raise DiffError(
            doc.first, "no diff found: expected a 'diff --git', '--- '/'+++ ' or '@@' header"
        )
    remaining = iter(headers)  # in file order, as many per file as it has hunks
    return ChangeSet(
        files=tuple(_file_change(doc, pf, [next(remaining) for _ in pf]) for pf in patch)
    )


def parse_hunk(text: str, path: str) -> FileChange:
    """Parse bare ``@@`` hunks (no file header) of one file, as a modification of ``path``."""
    doc = DiffLines.of(text)
    first = doc.first or 1
    _check_hunk_header(
        doc, first, f"expected a hunk header '@@ -a,b +c,d @@', got {doc.at(first)!r}"
    )
    patch, headers = _run_unidiff(doc, shift=2, skip=first - 1)
    if len(patch) != 1:  # unidiff counted our two synthetic header lines
        line = _file_start(doc, (patch[1].diff_line_no or 3) - 3 + first)
        raise DiffError(line, "a bare hunk text must not contain file headers")
    hunks, old_nl, new_nl = _build_hunks(doc, patch[0], headers)
    return FileChange(path, path, FileStatus.MODIFIED, hunks, False, None, None, old_nl, new_nl)


@dataclass
class _Cursor:
    """Feeds lines to unidiff and remembers where it is, so its errors can name a line."""

    line: int = 0
    hunk_headers: list[int] = field(default_factory=list)

    def feed(self, lines: list[str], first: int) -> Iterator[str]:
        for number, text in enumerate(lines, first):
            self.line = number
            if HUNK_HEADER.match(text):  # a body line never starts with "@@", so this is a header
                self.hunk_headers.append(number)
            yield text + "\n"


def _run_unidiff(doc: DiffLines, shift: int, skip: int = 0) -> tuple[PatchSet, list[int]]:
    """Run unidiff over ``doc`` (after ``shift`` synthetic header lines); returns hunk header lines."""
    fake = ["--- a/_", "+++ b/_"][:shift]
    cursor = _Cursor()
    try:
        patch = PatchSet(cursor.feed(fake + _unidiff_view(doc.text[skip:]), 1 - shift + skip))
    except UnidiffParseError as exc:
        raise _explain(doc, cursor, str(exc)) from None
    except Exception as exc:  # unidiff's own bugs must still surface as one clear DiffError
        raise DiffError(max(cursor.line, 1), f"unparsable diff: {exc}") from None
    return patch, cursor.hunk_headers


def _unidiff_view(lines: list[str]) -> list[str]:
    """The lines with placeholder names in git headers: unidiff splits a 'diff --git' line at
    its last space and then wants '+++' to repeat the second half, which fails for names with
    spaces. Our names come from :func:`read_header`; unidiff only has to find the files."""
    view = list(lines)
    for start, text in enumerate(lines):
        if not text.startswith("diff --git "):
            continue
        view[start] = "diff --git a/_ b/_"
        for n in range(start + 1, len(lines)):
            if not lines[n].startswith(GIT_HEADER_PREFIXES):
                break
            if lines[n].startswith("+++ "):
                if lines[n][4:].split("\t", 1)[0] != DEV_NULL:
                    view[n] = "+++ b/_"
                break
    return view


def _explain(doc: DiffLines, cursor: _Cursor, message: str) -> DiffError:
    """Turn a unidiff message into a DiffError on the line it concerns."""
    at = max(cursor.line, 1)
    header = cursor.hunk_headers[-1] if cursor.hunk_headers else at
    if message.startswith(("Hunk is shorter", "Hunk is longer")):
        if "shorter" in message:
            return _miscounted(doc, header, "fewer", f"the diff ends at line {len(doc.text)}")
        return _miscounted(doc, header, "more", f"line {at} is past its end")
    if message.startswith("Hunk diff line expected"):
        return DiffError(
            at,
            f"expected a hunk line starting with ' ', '+', '-' or '\\' "
            f"(hunk at line {header} is not complete), got {doc.at(at)!r}",
        )
    if message.startswith("Unexpected hunk"):
        return DiffError(
            at, "hunk header without a file header ('diff --git' or '--- '/'+++ ') before it"
        )
    if message.startswith("Target without source"):
        return DiffError(at, f"'+++' line does not match its file header: {doc.at(at)!r}")
    return DiffError(at, f"{message.split(':')[0].lower()}: {doc.at(at)!r}")


def _check_hunk_header(doc: DiffLines, line: int, otherwise: str) -> None:
    text = doc.at(line)
    if text.startswith("@@@"):
        raise DiffError(line, "combined (merge) diff hunks '@@@' are not supported")
    if text.startswith("@@") and not HUNK_HEADER.match(text):
        raise DiffError(
            line, f"malformed hunk header {text!r}: expected '@@ -start[,count] +start[,count] @@'"
        )
    if not text.startswith("@@"):
        raise DiffError(line, otherwise)


def _build_hunks(
    doc: DiffLines, pf: PatchedFile, headers: list[int]
) -> tuple[tuple[Hunk, ...], bool, bool]:
    """Hunks of one file plus its (old, new) missing-newline flags; checks what follows each hunk."""
    hunks, old_nl, new_nl = [], False, False
    for raw_hunk, header in zip(pf, headers, strict=True):
        lines, added, removed, previous, end = [], [], [], "", header
        for line in raw_hunk:  # the numbered lines are the body, consecutive after the header
            if line.diff_line_no is None:  # unidiff's own copies of markers and trailing blanks
                continue
            end += 1
            kind = line.line_type or " "
            if kind == "\\":
                old_nl, new_nl = old_nl or previous in ("-", " "), new_nl or previous in ("+", " ")
                lines.append(doc.at(end))
                continue
            previous = kind
            body = doc.raw[end - 1]
            lines.append(body if body.startswith(kind) else kind + body)
            if kind == "+":
                added.append(line.target_line_no or 0)
            elif kind == "-":
                removed.append(line.source_line_no or 0)
        if doc.at(end + 1).startswith("\\") and previous:  # the marker after a hunk's last line
            end += 1
            old_nl, new_nl = old_nl or previous in ("-", " "), new_nl or previous in ("+", " ")
            lines.append(doc.at(end))
        _check_after_hunk(doc, header, end)
        old, new = (
            (raw_hunk.source_start, raw_hunk.source_length),
            (raw_hunk.target_start, raw_hunk.target_length),
        )
        hunks.append(
            Hunk(*old, *new, raw_hunk.section_header, tuple(added), tuple(removed), tuple(lines))
        )
    return tuple(hunks), old_nl, new_nl


def _check_after_hunk(doc: DiffLines, header: int, end: int) -> None:
    """A hunk must be followed by a header, the end, or text that cannot be hunk content."""
    after = doc.at(end + 1)
    if after.startswith("@@"):
        _check_hunk_header(doc, end + 1, "")
    starts_file = after.startswith("--- ") and doc.at(end + 2).startswith("+++ ")
    if after[:1] in ("+", "-", " ") and not starts_file and after.rstrip() != "--":
        raise _miscounted(doc, header, "more", f"line {end + 1} {after!r} is past its end")


def _miscounted(doc: DiffLines, header: int, fewer_or_more: str, why: str) -> DiffError:
    return DiffError(
        header, f"hunk {doc.at(header)!r} has {fewer_or_more} lines than its header says ({why})"
    )


def _file_start(doc: DiffLines, line: int) -> int:
    """First line of the file header unidiff saw at ``line``: 'diff --git', or '--- ' before '+++ '."""
    if doc.at(line).startswith("+++ ") and doc.at(line - 1).startswith("--- "):
        return line - 1
    return line


def _file_change(doc: DiffLines, pf: PatchedFile, headers: list[int]) -> FileChange:
    start = _file_start(doc, pf.diff_line_no or 1)
    hunks, old_nl, new_nl = _build_hunks(doc, pf, headers)
    head = read_header(doc, start)
    if not hunks and head.plus is not None:
        after = head.plus_line + 1
        if after > len(doc.text):
            raise DiffError(
                head.plus_line, "file header is not followed by a hunk ('@@ -a,b +c,d @@')"
            )
        _check_hunk_header(
            doc, after, f"expected a hunk header '@@ -a,b +c,d @@', got {doc.at(after)!r}"
        )
    if head.git_names and head.plus not in (None, DEV_NULL) and head.plus != head.git_names[1]:
        raise DiffError(
            head.plus_line, f"'+++' name {head.plus!r} does not match its 'diff --git' line"
        )
    if not hunks and head.git_line is not None and head.lines == 1 and not head.binary:
        raise DiffError(
            start, "git file header without hunk, mode, rename, copy, index or binary line"
        )
    old, new = file_paths(head, pf)
    old = None if head.added else old
    new = None if head.deleted else new
    if head.binary or pf.is_binary_file:
        status = FileStatus.BINARY
    elif old is None:
        status = FileStatus.ADDED
    elif new is None:
        status = FileStatus.DELETED
    elif head.copied:
        status = FileStatus.COPIED
    elif old != new:
        status = FileStatus.RENAMED
    elif not hunks and head.old_mode != head.new_mode:
        status = FileStatus.MODE_ONLY
    else:
        status = FileStatus.MODIFIED
    binary = status is FileStatus.BINARY
    return FileChange(old, new, status, hunks, binary, head.old_mode, head.new_mode, old_nl, new_nl)
