"""Apply a parsed diff to text in memory, or rebuild what a bare patch shows of a file.

Used where only a patch is at hand (``tactful review --patch`` outside a repository, and
CodeReviewer records, which hold the old file and one hunk).
"""

from __future__ import annotations

from tactful.analyzers.model import FileChange, Hunk


class PatchMismatch(ValueError):
    """A hunk's context or removed lines do not match the text it is applied to."""


class SparseTooLarge(PatchMismatch):
    """A hunk starts so far down that rebuilding the file from the patch would mean padding
    it with more blank lines than any reviewable file has (``@@ -100000000 @@`` in 60 bytes)."""


MAX_SPARSE_LINES = 1_000_000
"""Most lines a file rebuilt from a bare patch may have; bounds memory to a few MB."""


def _split_keepends(text: str) -> list[str]:
    """Lines with their endings, split on "\n" only (git's notion of a line, unlike splitlines)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _body(hunk: Hunk) -> list[tuple[str, str]]:
    return [(line[:1], line[1:]) for line in hunk.lines if line[:1] in (" ", "+", "-")]


def apply_file_change(old_text: str, change: FileChange, *, strict: bool = True) -> str:
    """The new text of a file: ``old_text`` with every hunk of ``change`` applied.

    With ``strict``, a context or removed line that differs from ``old_text`` raises
    :class:`PatchMismatch` naming the line; otherwise the hunk's version wins.
    """
    old_lines = _split_keepends(old_text)
    eol = "\r\n" if old_lines and old_lines[0].endswith("\r\n") else "\n"
    out: list[str] = []
    cursor = 0  # 0-based index into old_lines of the next line not yet copied
    for hunk in change.hunks:
        start = max(hunk.old_start - 1, 0) if hunk.old_count else hunk.old_start
        if start < cursor or start > len(old_lines):
            raise PatchMismatch(
                f"hunk @@ -{hunk.old_start},{hunk.old_count} @@ does not fit a file of {len(old_lines)} lines"
            )
        out.extend(old_lines[cursor:start])
        cursor = start
        for prefix, text in _body(hunk):
            if prefix in (" ", "-"):
                actual = old_lines[cursor].rstrip("\r\n") if cursor < len(old_lines) else None
                if strict and actual != text.rstrip("\r"):
                    raise PatchMismatch(
                        f"old line {cursor + 1} is {actual!r}, the patch expects {text!r}"
                    )
                if prefix == " ":
                    out.append(old_lines[cursor] if cursor < len(old_lines) else text + eol)
                cursor += 1
            else:
                # A CRLF file's diff lines keep their "\r": only the "\n" is missing.
                out.append(text + "\n" if text.endswith("\r") else text + eol)
    out.extend(old_lines[cursor:])
    new_text = "".join(out)
    if change.new_missing_newline and new_text.endswith(eol):
        new_text = new_text[: -len(eol)]
    elif (
        not change.new_missing_newline
        and change.old_missing_newline
        and not new_text.endswith("\n")
    ):
        new_text += eol
    return new_text


def sparse_new_text(change: FileChange) -> str:
    """The new file as far as the patch shows it: hunk lines at their line numbers, blanks between.

    Keeping line numbers exact lets findings on added lines point at the right place even
    when the rest of the file is unknown.
    """
    return _sparse(change, new=True)


def sparse_old_text(change: FileChange) -> str:
    """The old file as far as the patch shows it (see :func:`sparse_new_text`)."""
    return _sparse(change, new=False)


def _sparse(change: FileChange, *, new: bool) -> str:
    kept = (" ", "+") if new else (" ", "-")
    lines: list[str] = []
    for hunk in change.hunks:
        position = (hunk.new_start if new else hunk.old_start) - 1
        if position + len(hunk.lines) > MAX_SPARSE_LINES:
            raise SparseTooLarge(
                f"hunk @@ -{hunk.old_start} +{hunk.new_start} @@ starts past line {MAX_SPARSE_LINES:,}; "
                "the file cannot be rebuilt from the patch alone"
            )
        if len(lines) < position:
            lines.extend([""] * (position - len(lines)))
        del lines[position:]
        lines.extend(text for prefix, text in _body(hunk) if prefix in kept)
    return "\n".join(lines) + ("\n" if lines else "")
