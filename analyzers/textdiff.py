"""A git-style unified diff of two texts, made in memory (no git, no files).

The editor diffs a buffer against its base with it, and a working-tree review turns each
untracked file into an added file with it, so both build the same change from the same text.
"""

from __future__ import annotations

import difflib

CONTEXT_LINES = 3


def split_lines(text: str) -> list[str]:
    """Lines with their ``\\n`` kept, split on ``\\n`` only (as git and tree-sitter count them)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _range(start: int, stop: int) -> str:
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if length == 0 else start + 1},{length}"


def _emit(out: list[str], prefix: str, line: str) -> None:
    out.append(prefix + line)
    if not line.endswith("\n"):
        out.append("\n\\ No newline at end of file\n")


def unified_diff(path: str, old_text: str | None, new_text: str) -> str:
    """A git-style unified diff (3 lines of context) of one file; empty when nothing changed.

    The common head and tail are trimmed before matching, so one edit in a long file costs
    little more than the edit itself.
    """
    old = split_lines(old_text) if old_text is not None else []
    new = split_lines(new_text)
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    if head == len(old) == len(new):
        return ""
    lo = max(head - CONTEXT_LINES, 0)
    old_mid, new_mid = (
        old[lo : len(old) - max(tail - CONTEXT_LINES, 0)],
        new[lo : len(new) - max(tail - CONTEXT_LINES, 0)],
    )
    matcher = difflib.SequenceMatcher(None, old_mid, new_mid, autojunk=False)
    out = [f"diff --git a/{path} b/{path}\n"]
    if old_text is None:
        out += ["new file mode 100644\n", "--- /dev/null\n"]
    else:
        out.append(f"--- a/{path}\n")
    out.append(f"+++ b/{path}\n")
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        first, last = group[0], group[-1]
        out.append(
            f"@@ -{_range(lo + first[1], lo + last[2])} +{_range(lo + first[3], lo + last[4])} @@\n"
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for line in old_mid[i1:i2]:
                    _emit(out, " ", line)
                continue
            for line in old_mid[i1:i2]:
                _emit(out, "-", line)
            for line in new_mid[j1:j2]:
                _emit(out, "+", line)
    return "".join(out)
