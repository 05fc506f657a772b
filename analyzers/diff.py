"""Parse unified diffs (``git diff``, ``diff -u``, ``git format-patch`` mails, bare ``@@``
hunks) into a :class:`ChangeSet`; every problem is a :class:`DiffError` naming a 1-based line.

``unidiff`` finds the files and checks each hunk body against its header counts; the git
extended headers (renames, copies, modes, binary, quoted paths) are read here. Choices:

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

from tactful.analyzers.model import ChangeSet, FileChange, FileStatus, Hunk
from unidiff import PatchSet, UnidiffParseError
from unidiff.patch import PatchedFile

HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_MODE_LINE = re.compile(r"^(old mode|new mode|new file mode|deleted file mode) ([0-7]+)$")
_INDEX_LINE = re.compile(r"^index [0-9a-f]+\.\.[0-9a-f]+(?: ([0-7]+))?$")
_GIT_HEADER_PREFIXES = (
    "old mode ", "new mode ", "new file mode ", "deleted file mode ", "similarity index ",
    "dissimilarity index ", "rename from ", "rename to ", "copy from ", "copy to ", "index ",
    "--- ", "+++ ", "Binary files ",
)  # fmt: skip
_PREFIX = re.compile(r"^[abciow12]/")  # a/ b/, mnemonic i/ w/ c/ o/, and --no-index 1/ 2/
_QUOTE_ESCAPE = re.compile(rb'\\([0-7]{3}|[abtnvfr"\\])')
_NAMED_ESCAPES = {
    b"a": 7,
    b"b": 8,
    b"t": 9,
    b"n": 10,
    b"v": 11,
    b"f": 12,
    b"r": 13,
    b'"': 34,
    b"\\": 92,
}
_DEV_NULL = "/dev/null"


class DiffError(ValueError):
    """The diff text could not be parsed; ``line`` is the 1-based line of the diff text."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def parse_diff(text: str) -> ChangeSet:
    """Parse a git or plain unified diff (or bare ``@@`` hunks, as one file with path ``""``)."""
    doc = _Doc.of(text)
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
    doc = _Doc.of(text)
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


@dataclass(frozen=True)
class _Doc:
    """The diff's lines without terminators: ``raw`` as given, ``text`` with structural CRs gone."""

    raw: list[str]
    text: list[str]
    first: int
    """The first line that is not blank; 0 when there is none."""

    @classmethod
    def of(cls, text: str) -> _Doc:
        if "\n" in text and text.count("\r\n") == text.count("\n"):  # CRLF is the transport
            text = text.replace("\r\n", "\n").removesuffix("\r")
        raw = text.split("\n")  # not splitlines(): \f, \x1c, \u2028 are content
        if raw and raw[-1] == "":
            raw.pop()
        first = next((n for n, line in enumerate(raw, 1) if line.strip()), 0)
        return cls(raw, [line.removesuffix("\r") for line in raw], first)

    def at(self, line: int) -> str:
        """The structural text of a 1-based line; ``""`` past either end."""
        return self.text[line - 1] if 1 <= line <= len(self.text) else ""


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


def _run_unidiff(doc: _Doc, shift: int, skip: int = 0) -> tuple[PatchSet, list[int]]:
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
    spaces. Our names come from :func:`_read_header`; unidiff only has to find the files."""
    view = list(lines)
    for start, text in enumerate(lines):
        if not text.startswith("diff --git "):
            continue
        view[start] = "diff --git a/_ b/_"
        for n in range(start + 1, len(lines)):
            if not lines[n].startswith(_GIT_HEADER_PREFIXES):
                break
            if lines[n].startswith("+++ "):
                if lines[n][4:].split("\t", 1)[0] != _DEV_NULL:
                    view[n] = "+++ b/_"
                break
    return view


def _explain(doc: _Doc, cursor: _Cursor, message: str) -> DiffError:
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


def _check_hunk_header(doc: _Doc, line: int, otherwise: str) -> None:
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
    doc: _Doc, pf: PatchedFile, headers: list[int]
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


def _check_after_hunk(doc: _Doc, header: int, end: int) -> None:
    """A hunk must be followed by a header, the end, or text that cannot be hunk content."""
    after = doc.at(end + 1)
    if after.startswith("@@"):
        _check_hunk_header(doc, end + 1, "")
    starts_file = after.startswith("--- ") and doc.at(end + 2).startswith("+++ ")
    if after[:1] in ("+", "-", " ") and not starts_file and after.rstrip() != "--":
        raise _miscounted(doc, header, "more", f"line {end + 1} {after!r} is past its end")


def _miscounted(doc: _Doc, header: int, fewer_or_more: str, why: str) -> DiffError:
    return DiffError(
        header, f"hunk {doc.at(header)!r} has {fewer_or_more} lines than its header says ({why})"
    )


def _file_start(doc: _Doc, line: int) -> int:
    """First line of the file header unidiff saw at ``line``: 'diff --git', or '--- ' before '+++ '."""
    if doc.at(line).startswith("+++ ") and doc.at(line - 1).startswith("--- "):
        return line - 1
    return line


@dataclass
class _Header:
    """What a file's header lines say."""

    git_line: str | None = None  # what follows 'diff --git '
    git_names: tuple[str, str] | None = None  # its two names, when they can be told apart
    minus: str | None = None
    plus: str | None = None
    plus_line: int = 0
    moved_from: str | None = None
    moved_to: str | None = None
    old_mode: str | None = None
    new_mode: str | None = None
    copied: bool = False
    added: bool = False
    deleted: bool = False
    binary: bool = False
    lines: int = 0


def _read_header(doc: _Doc, start: int) -> _Header:
    """Read the header lines of the file that starts at line ``start``."""
    head, line = _Header(binary=doc.at(start).startswith("Binary files ")), start
    if doc.at(line).startswith("diff --git "):
        head.git_line = doc.at(line)[len("diff --git ") :]
        head.git_names = _split_git_names(head.git_line)
        line += 1
    known = _GIT_HEADER_PREFIXES if head.git_line is not None else ("--- ", "+++ ")
    while (text := doc.at(line)).startswith(known):
        key, _, value = text.partition(" ")
        if mode := _MODE_LINE.match(text):
            head.added |= mode[1] == "new file mode"
            head.deleted |= mode[1] == "deleted file mode"
            if mode[1] in ("old mode", "deleted file mode"):
                head.old_mode = mode[2]
            else:
                head.new_mode = mode[2]
        elif (index := _INDEX_LINE.match(text)) and index[1]:  # one mode for both sides
            head.old_mode, head.new_mode = head.old_mode or index[1], head.new_mode or index[1]
        elif key in ("rename", "copy"):
            head.copied |= key == "copy"
            direction, _, name = value.partition(" ")
            if direction == "from":
                head.moved_from = _unquote(name)
            else:
                head.moved_to = _unquote(name)
        elif key in ("---", "+++"):  # a tab ends the name: git adds one after names with spaces
            name = _unquote(value.split("\t", 1)[0])
            if key == "---":
                head.minus = name
            else:
                head.plus, head.plus_line = name, line
        head.binary |= key == "Binary"
        line += 1
    head.binary |= doc.at(line) == "GIT binary patch"
    head.lines = line - start
    return head


def _file_change(doc: _Doc, pf: PatchedFile, headers: list[int]) -> FileChange:
    start = _file_start(doc, pf.diff_line_no or 1)
    hunks, old_nl, new_nl = _build_hunks(doc, pf, headers)
    head = _read_header(doc, start)
    if not hunks and head.plus is not None:
        after = head.plus_line + 1
        if after > len(doc.text):
            raise DiffError(
                head.plus_line, "file header is not followed by a hunk ('@@ -a,b +c,d @@')"
            )
        _check_hunk_header(
            doc, after, f"expected a hunk header '@@ -a,b +c,d @@', got {doc.at(after)!r}"
        )
    if head.git_names and head.plus not in (None, _DEV_NULL) and head.plus != head.git_names[1]:
        raise DiffError(
            head.plus_line, f"'+++' name {head.plus!r} does not match its 'diff --git' line"
        )
    if not hunks and head.git_line is not None and head.lines == 1 and not head.binary:
        raise DiffError(
            start, "git file header without hunk, mode, rename, copy, index or binary line"
        )
    old, new = _paths(head, pf)
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


def _paths(head: _Header, pf: PatchedFile) -> tuple[str | None, str | None]:
    """(old, new) repository paths: rename/copy lines first, then '---'/'+++', then 'diff --git'."""
    if head.git_names:
        pair = head.git_names
    elif head.minus is not None and head.plus is not None:
        pair = (head.minus, head.plus)
    elif head.git_line is not None:  # ambiguous and nothing better: split where a b/ begins
        left, sep, right = head.git_line.rpartition(" b/")
        parts = head.git_line.rsplit(" ", 1)
        pair = (left, "b/" + right) if sep else (parts[0], parts[-1])
    else:  # a plain 'Binary files x and y differ'
        pair = (_unquote(pf.source_file), _unquote(pf.target_file))
    prefixed = _has_prefixes(*(None if name == _DEV_NULL else name for name in pair))
    old, new = (_strip(name, prefixed) for name in pair)
    if head.minus is not None and head.plus is not None:
        old, new = _strip(head.minus, prefixed) or old, _strip(head.plus, prefixed) or new
    return head.moved_from or old, head.moved_to or new


def _strip(name: str, prefixed: bool) -> str | None:
    if name == _DEV_NULL:
        return None
    return name[2:] if prefixed and _PREFIX.match(name) else name


def _has_prefixes(old: str | None, new: str | None) -> bool:
    """True unless the diff was made with --no-prefix (``diff --git x.py x.py``)."""
    if old is not None and new is not None:
        return bool(_PREFIX.match(old) and _PREFIX.match(new)) and old[0] != new[0]
    return (old or "").startswith("a/") or (new or "").startswith("b/")


def _split_git_names(rest: str) -> tuple[str, str] | None:
    """The two names of a 'diff --git' line, which may hold spaces or be quoted."""
    quoted = re.fullmatch(r'("(?:[^"\\]|\\.)*") (.+)', rest)
    if quoted:
        return _unquote(quoted.group(1)), _unquote(quoted.group(2))
    ends_quoted = re.fullmatch(r'(.+) ("(?:[^"\\]|\\.)*")', rest)
    if ends_quoted:
        return ends_quoted.group(1), _unquote(ends_quoted.group(2))
    half = len(rest) // 2  # both names are the same file unless the header also says 'rename'
    left, right = rest[:half], rest[half + 1 :]
    if rest[half : half + 1] == " " and (left == right or left[2:] == right[2:]):
        return left, right
    return None


def _unquote(name: str) -> str:
    """Undo git's C-style quoting (``"a/caf\\303\\251.py"``); unquoted names pass through."""
    if len(name) < 2 or name[0] != '"' or name[-1] != '"':
        return name
    body = name[1:-1].encode("utf-8", "surrogateescape")

    def byte(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        return bytes([int(code, 8) & 0xFF if code[:1].isdigit() else _NAMED_ESCAPES[code]])

    return _QUOTE_ESCAPE.sub(byte, body).decode("utf-8", "surrogateescape")
