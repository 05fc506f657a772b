"""Where a line of one version of a file lies in the other, through the diff's hunks."""

from __future__ import annotations

from tactful.analyzers.model import Hunk


class LineMap:
    """Where a line of one version lies in the other, through the hunks.

    A changed line maps to where its run of removed and added lines begins on the other side
    (a replaced line to its replacement, a deleted one to the line after the deletion); an
    unchanged line maps to its counterpart.
    """

    def __init__(self, hunks: tuple[Hunk, ...], forward: bool) -> None:
        """``forward``: old lines to new ones; otherwise new lines to old ones."""
        self._exact: dict[int, int] = {}
        self._shifts: list[tuple[int, int]] = []  # (first line after a hunk, delta from then on)
        for hunk in hunks:
            # An empty side (-5,0) names the line before the hunk, not its first line.
            old_first = hunk.old_start if hunk.old_count else hunk.old_start + 1
            new_first = hunk.new_start if hunk.new_count else hunk.new_start + 1
            old_line, new_line = old_first, new_first
            block_old, block_new = old_line, new_line  # where the current run of -/+ lines began
            for text in hunk.lines:
                prefix = text[:1]
                if prefix == "-":
                    if forward:
                        self._exact[old_line] = block_new
                    old_line += 1
                elif prefix == "+":
                    if not forward:
                        self._exact[new_line] = block_old
                    new_line += 1
                elif prefix == " ":
                    self._exact[old_line if forward else new_line] = (
                        new_line if forward else old_line
                    )
                    old_line += 1
                    new_line += 1
                    block_old, block_new = old_line, new_line
            old_end, new_end = old_first + hunk.old_count, new_first + hunk.new_count
            if forward:
                self._shifts.append((old_end, new_end - old_end))
            else:
                self._shifts.append((new_end, old_end - new_end))

    def __call__(self, line: int) -> int:
        exact = self._exact.get(line)
        if exact is not None:
            return exact
        delta = 0
        for after, shift in self._shifts:
            if line >= after:
                delta = shift
        return max(1, line + delta)


def line_maps(hunks: tuple[Hunk, ...]) -> tuple[LineMap, LineMap]:
    """(old line -> new line, new line -> old line) for a file's hunks."""
    return LineMap(hunks, forward=True), LineMap(hunks, forward=False)
