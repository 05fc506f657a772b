"""A pull-request review payload for ``POST /repos/{owner}/{repo}/pulls/{number}/reviews``.

GitHub answers HTTP 422 to a review with any comment on a line outside the diff, so a
comment is placed only on right-side lines of the hunks that the change shows (added or
context lines), a multi-line comment only when both ends lie in one hunk, and every other
finding goes into the review's body instead of being dropped. A fix becomes a
```` ```suggestion ```` block when its edits cover whole lines inside the comment's range;
otherwise it is shown as a diff. Each comment carries a hidden fingerprint marker so the
next run can recognise what it already posted. The payload is ready for
``gh api repos/{o}/{r}/pulls/{n}/reviews --input FILE``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tactful.analyzers.fixes import apply_edits
from tactful.analyzers.model import FileChange, Finding, Fix
from tactful.server.formats.common import new_texts
from tactful.server.output import coverage_summary, fix_diff
from tactful.server.pipeline import ReviewResult

MARKER = "<!-- tactful:fingerprint={} -->"
REVIEW_MARKER = "<!-- tactful:review -->"
MARKER_PATTERN = re.compile(r"<!-- tactful:fingerprint=([0-9a-f]{8,64}) -->")
MAX_BODY_FINDINGS = 50


def hunk_ranges(file: FileChange) -> list[tuple[int, int]]:
    """Inclusive new-side line ranges of the hunks: the only lines a review comment may use."""
    return [(h.new_start, h.new_start + h.new_count - 1) for h in file.hunks if h.new_count > 0]


def _hunk_of(ranges: list[tuple[int, int]], line: int) -> tuple[int, int] | None:
    return next((r for r in ranges if r[0] <= line <= r[1]), None)


def _fix_lines(fix: Fix) -> tuple[int, int]:
    """The whole lines a fix touches (an edit ending at column 0 does not touch that line)."""
    first = min(e.span.start_line for e in fix.edits)
    last = max(
        e.span.end_line - 1
        if e.span.end_col == 0 and e.span.end_line > e.span.start_line
        else e.span.end_line
        for e in fix.edits
    )
    return first, max(first, last)


def suggestion(fix: Fix, text: str | None) -> tuple[int, int, str] | None:
    """(first line, last line, replacement lines, each ending in a newline) of a fix, or None
    when it cannot be applied. No lines (a deletion) makes an empty suggestion block."""
    if text is None:
        return None
    try:
        fixed = apply_edits(text, fix.edits)
    except ValueError:
        return None
    first, last = _fix_lines(fix)
    before = text.split("\n")
    after = fixed.split("\n")
    if last > len(before):
        return None
    kept_tail = len(before) - last
    replacement = after[first - 1 : len(after) - kept_tail]
    return first, last, "".join(line + "\n" for line in replacement)


def _comment(
    finding: Finding, ranges: list[tuple[int, int]], text: str | None
) -> dict[str, Any] | None:
    start, end = finding.span.start_line, finding.span.last_line
    hunk = _hunk_of(ranges, start)
    if hunk is None:
        return None
    end = min(max(end, start), hunk[1])
    body = [f"**{finding.severity.value}** `{finding.rule}`: {finding.message}"]
    if finding.fix is not None:
        placed = suggestion(finding.fix, text)
        if placed is not None and hunk[0] <= placed[0] and placed[1] <= hunk[1]:
            start, end = placed[0], placed[1]
            body += ["", f"{finding.fix.description}:", f"```suggestion\n{placed[2]}```"]
        else:
            diff = fix_diff(finding.fix, text, "")
            if diff:
                body += ["", f"{finding.fix.description}:", "```diff", diff.rstrip("\n"), "```"]
    body += ["", MARKER.format(finding.fingerprint)]
    comment: dict[str, Any] = {
        "path": finding.path,
        "body": "\n".join(body),
        "line": end,
        "side": "RIGHT",
    }
    if end > start:
        comment["start_line"] = start
        comment["start_side"] = "RIGHT"
    return comment


def review_payload(
    result: ReviewResult, label: str = "", commit_id: str | None = None
) -> dict[str, Any]:
    texts = new_texts(result)
    ranges = {f.change.path: hunk_ranges(f.change) for f in result.files}
    comments = []
    outside: list[Finding] = []
    for finding in result.findings:
        comment = _comment(finding, ranges.get(finding.path, []), texts.get(finding.path))
        if comment is None:
            outside.append(finding)
        else:
            comments.append(comment)
    body = [
        "### tactful review",
        REVIEW_MARKER,
        "",
        "```",
        coverage_summary(result, label).rstrip("\n"),
        "```",
    ]
    if outside:
        body += ["", "Findings on lines this diff does not show:"]
        body += [
            f"- `{f.path}:{f.span.start_line}` `{f.rule}`: {f.message} {MARKER.format(f.fingerprint)}"
            for f in outside[:MAX_BODY_FINDINGS]
        ]
        if len(outside) > MAX_BODY_FINDINGS:
            body.append(f"- … and {len(outside) - MAX_BODY_FINDINGS} more")
    payload: dict[str, Any] = {"event": "COMMENT", "body": "\n".join(body), "comments": comments}
    if commit_id:
        payload["commit_id"] = commit_id
    return payload


def posted_fingerprints(text: str) -> set[str]:
    """Fingerprints named by the markers in review bodies or comments (a previous run's)."""
    return set(MARKER_PATTERN.findall(text))


def render(result: ReviewResult, label: str = "", commit_id: str | None = None) -> str:
    return json.dumps(review_payload(result, label, commit_id), indent=2, ensure_ascii=False) + "\n"
