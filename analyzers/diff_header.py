"""The file headers of a unified diff: what a file's header lines say and which paths they name.

``read_header`` reads the ``diff --git`` line and git's extended headers (modes, renames,
copies, index, binary) plus ``---``/``+++``; ``file_paths`` picks the old and new repository
paths from them (prefixes stripped, ``/dev/null`` as None); ``unquote`` undoes git's C-style
quoting. ``DiffLines`` is the diff text as lines, shared with the parser in ``diff``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unidiff.patch import PatchedFile

_MODE_LINE = re.compile(r"^(old mode|new mode|new file mode|deleted file mode) ([0-7]+)$")
_INDEX_LINE = re.compile(r"^index [0-9a-f]+\.\.[0-9a-f]+(?: ([0-7]+))?$")
GIT_HEADER_PREFIXES = (
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
DEV_NULL = "/dev/null"


@dataclass(frozen=True)
class DiffLines:
    """The diff's lines without terminators: ``raw`` as given, ``text`` with structural CRs gone."""

    raw: list[str]
    text: list[str]
    first: int
    """The first line that is not blank; 0 when there is none."""

    @classmethod
    def of(cls, text: str) -> DiffLines:
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
class Header:
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


def read_header(doc: DiffLines, start: int) -> Header:
    """Read the header lines of the file that starts at line ``start``."""
    head, line = Header(binary=doc.at(start).startswith("Binary files ")), start
    if doc.at(line).startswith("diff --git "):
        head.git_line = doc.at(line)[len("diff --git ") :]
        head.git_names = _split_git_names(head.git_line)
        line += 1
    known = GIT_HEADER_PREFIXES if head.git_line is not None else ("--- ", "+++ ")
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
                head.moved_from = unquote(name)
            else:
                head.moved_to = unquote(name)
        elif key in ("---", "+++"):  # a tab ends the name: git adds one after names with spaces
            name = unquote(value.split("\t", 1)[0])
            if key == "---":
                head.minus = name
            else:
                head.plus, head.plus_line = name, line
        head.binary |= key == "Binary"
        line += 1
    head.binary |= doc.at(line) == "GIT binary patch"
    head.lines = line - start
    return head


def file_paths(head: Header, pf: PatchedFile) -> tuple[str | None, str | None]:
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
        pair = (unquote(pf.source_file), unquote(pf.target_file))
    prefixed = _has_prefixes(*(None if name == DEV_NULL else name for name in pair))
    old, new = (_strip(name, prefixed) for name in pair)
    if head.minus is not None and head.plus is not None:
        old, new = _strip(head.minus, prefixed) or old, _strip(head.plus, prefixed) or new
    return head.moved_from or old, head.moved_to or new


def _strip(name: str, prefixed: bool) -> str | None:
    if name == DEV_NULL:
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
        return unquote(quoted.group(1)), unquote(quoted.group(2))
    ends_quoted = re.fullmatch(r'(.+) ("(?:[^"\\]|\\.)*")', rest)
    if ends_quoted:
        return ends_quoted.group(1), unquote(ends_quoted.group(2))
    half = len(rest) // 2  # both names are the same file unless the header also says 'rename'
    left, right = rest[:half], rest[half + 1 :]
    if rest[half : half + 1] == " " and (left == right or left[2:] == right[2:]):
        return left, right
    return None


def unquote(name: str) -> str:
    """Undo git's C-style quoting (``"a/caf\\303\\251.py"``); unquoted names pass through."""
    if len(name) < 2 or name[0] != '"' or name[-1] != '"':
        return name
    body = name[1:-1].encode("utf-8", "surrogateescape")

    def byte(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        return bytes([int(code, 8) & 0xFF if code[:1].isdigit() else _NAMED_ESCAPES[code]])

    return _QUOTE_ESCAPE.sub(byte, body).decode("utf-8", "surrogateescape")
