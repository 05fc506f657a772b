"""Anchoring and validating a model's findings before anyone sees them.

A model's finding is kept only if the code it quotes (``existing_code``) is found on the
changed lines of its change unit; its range is then snapped to that code, so a comment
can never land on the wrong line. A quote of the unit's removed lines (a dropped check)
is anchored on the nearest line that survived (:mod:`tactful.server.llm.removed`), and
its fix, if any, puts code back where the removed lines were. A suggested fix must apply, keep the indentation and
leave the file parseable (:func:`tactful.analyzers.fixes.validate_fix`), else the fix is
dropped and the comment kept. Claims that a symbol is missing are dropped when the symbol
is visible in the file or the context the model was shown. Every drop has a reason, which
the review counts in the coverage (``llm.dropped.<reason>``).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from tactful.analyzers.fixes import apply_edits, validate_fix
from tactful.analyzers.model import ChangeUnit, Finding, Fix, Severity, Span, TextEdit
from tactful.server.llm.claims import states_no_defect
from tactful.server.llm.parse import RawFinding
from tactful.server.llm.removed import removal_anchors

_LINE_PREFIX = re.compile(r"^[+\- ]?\s*\d+\s*\|\s?")
_MISSING_CLAIM = re.compile(
    r"\b(undefined|not defined|undeclared|does not exist|doesn't exist|is missing|are missing|missing import|"
    r"not imported|unresolved|never defined|no such (?:function|method|variable|attribute|symbol))\b",
    re.IGNORECASE,
)
_QUOTED_NAME = re.compile(r"[`'\"]([A-Za-z_][A-Za-z0-9_.]*)[`'\"]")
_SEVERE = frozenset({"correctness", "security", "error-handling"})


@dataclass(frozen=True)
class Verdict:
    """What became of one raw finding: a finding (maybe without its fix) or a drop reason."""

    finding: Finding | None
    dropped: str = ""
    """Reason the finding was dropped: ``no-existing-code``, ``no-defect-claimed`` (the message
    says nothing is wrong), ``not-in-file``, ``unchanged-line``, ``outside-unit``,
    ``invented-missing-symbol``."""
    fix_dropped: str = ""
    """Reason the fix (only) was dropped: ``does-not-apply``, ``unparseable``, ``indentation``."""
    fix_detail: str = ""
    removed_code: bool = False
    """True when the finding quotes removed lines and sits on the nearest surviving line."""


@dataclass(frozen=True)
class _Anchor:
    span: Span
    whole_lines: bool
    """True when matched ignoring whitespace: the span covers whole lines (from their indent)."""


def validate(
    raw: RawFinding, unit: ChangeUnit, new_text: str, language: str | None, *, context: str = ""
) -> Verdict:
    """Anchor ``raw`` in ``unit`` of ``new_text`` and check its fix; see the module docstring."""
    existing = _clean_quote(raw.existing_code)
    if not existing.strip():
        return Verdict(None, "no-existing-code")
    if states_no_defect(raw.message):
        return Verdict(None, "no-defect-claimed")
    lines = new_text.split("\n")
    first, last = _unit_lines(unit, len(lines))
    anchor, dropped = _new_side_anchor(existing, lines, first, last, set(unit.changed_new_lines))
    restore: _Restore | None = None
    if anchor is None:
        restore = _removed_anchor(existing, unit, lines)
        if restore is None:
            return Verdict(None, dropped)
        anchor = restore.anchor
    if _invented_missing_symbol(raw.message, new_text, anchor.span, lines, context):
        return Verdict(None, "invented-missing-symbol")
    code = _span_text(lines, anchor.span)
    fix: Fix | None = None
    fix_dropped = fix_detail = ""
    improved = _clean_quote(raw.improved_code) if raw.improved_code.strip() else ""
    # Restoring removed code verbatim is a fix; repeating the flagged new code is not.
    if improved and (restore is not None or improved.strip() != code.strip()):
        edit = _edit(anchor, lines, improved) if restore is None else restore.edit(improved)
        candidate = Fix("Apply the reviewer's suggestion", (edit,))
        problem = validate_fix(new_text, candidate, language) or _python_compile_problem(
            new_text, candidate, language
        )
        if problem is None:
            fix = candidate
        else:
            fix_dropped, fix_detail = _fix_reason(problem), problem
    finding = Finding(
        path=unit.path,
        span=anchor.span,
        severity=Severity.WARNING
        if raw.category in _SEVERE and raw.confidence >= 0.5
        else Severity.INFO,
        rule=f"llm.{raw.category}",
        message=raw.message,
        category=raw.category,
        source="llm",
        fix=fix,
        confidence=raw.confidence,
        unit=unit.name,
        code=code,
    )
    return Verdict(
        finding, fix_dropped=fix_dropped, fix_detail=fix_detail, removed_code=restore is not None
    )


def _new_side_anchor(
    existing: str, lines: list[str], first: int, last: int, changed: set[int]
) -> tuple[_Anchor | None, str]:
    """Where ``existing`` sits on the unit's added lines, else why it does not."""
    anchors = _find(existing, lines, 1, len(lines))
    if not anchors:
        return None, "not-in-file"
    in_unit = [a for a in anchors if first <= a.span.start_line and a.span.last_line <= last]
    if not in_unit:
        return None, "outside-unit"
    on_changed = [a for a in in_unit if _on_changed_lines(a.span, lines, changed)]
    if not on_changed:
        return None, "unchanged-line"
    return on_changed[0], ""


@dataclass(frozen=True)
class _Restore:
    """A quote of removed lines, anchored on the nearest surviving line of the new version."""

    anchor: _Anchor
    after: bool
    code: str
    """The removed code quoted."""
    indent: str
    line_text: str

    def edit(self, improved: str) -> TextEdit:
        """Put ``improved`` back where the removed code was, with the removed code's indent."""
        body = "\n".join(
            (self.indent + p) if p.strip() else p for p in textwrap.dedent(improved).split("\n")
        )
        line = self.anchor.span.start_line
        if self.after:
            return TextEdit(Span(line, 0, line, 0), body + "\n")
        end = len(self.line_text.rstrip("\r"))
        return TextEdit(Span(line, end, line, end), "\n" + body)


def _removed_anchor(existing: str, unit: ChangeUnit, lines: list[str]) -> _Restore | None:
    """``existing`` found on the unit's removed lines: anchored on the nearest surviving line."""
    if unit.old_span is None or not unit.changed_old_lines:
        return None
    first = unit.old_span.start_line
    old = [""] * (first - 1) + unit.old_source.split("\n")
    removed = set(unit.changed_old_lines)
    found = [
        a for a in _find(existing, old, first, len(old)) if _on_changed_lines(a.span, old, removed)
    ]
    if not found:
        return None
    span = found[0].span
    targets = removal_anchors(unit)
    line = next(
        (n for n in range(span.start_line, span.last_line + 1) if n in targets and n in removed),
        None,
    )
    if line is None:
        return None
    target = targets[line]
    if target.line > len(lines):
        return None
    head = old[span.start_line - 1]
    return _Restore(
        _Anchor(_line_span(lines, target.line, target.line), True),
        target.after,
        _span_text(old, span),
        head[: len(head) - len(head.lstrip())],
        lines[target.line - 1],
    )


def duplicates(llm: Finding, other: Finding) -> bool:
    """Same file, overlapping lines, and an overlapping topic (category or wording)."""
    if llm.path != other.path:
        return False
    if llm.span.last_line < other.span.start_line or other.span.last_line < llm.span.start_line:
        return False
    if llm.category == other.category:
        return True
    words_llm = _words(llm.message) | _words(llm.rule)
    words_other = _words(other.message) | _words(other.rule)
    if not words_llm or not words_other:
        return False
    return len(words_llm & words_other) / len(words_llm | words_other) >= 0.2


def _clean_quote(text: str) -> str:
    """Strip blank edge lines, and the ``+ 42 | `` prefixes a model may copy from the prompt."""
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and all(_LINE_PREFIX.match(line) for line in lines if line.strip()):
        lines = [_LINE_PREFIX.sub("", line, count=1) for line in lines]
    return "\n".join(lines)


def _unit_lines(unit: ChangeUnit, total: int) -> tuple[int, int]:
    if unit.new_span is None:
        return 1, total
    return unit.new_span.start_line, unit.new_span.last_line


def _find(existing: str, lines: list[str], first: int, last: int) -> list[_Anchor]:
    """Every place ``existing`` occurs: exactly first, then ignoring whitespace, line by line."""
    text = "\n".join(lines[first - 1 : last])
    anchors: list[_Anchor] = []
    start = text.find(existing)
    while start != -1 and len(anchors) < 50:
        anchors.append(_Anchor(_offset_span(text, start, start + len(existing), first), False))
        start = text.find(existing, start + 1)
    if anchors:
        return anchors
    wanted = [" ".join(line.split()) for line in existing.split("\n") if line.strip()]
    if not wanted:
        return []
    normal = [" ".join(line.split()) for line in lines]
    for index in range(first - 1, last):
        if len(wanted) == 1:
            if wanted[0] and wanted[0] in normal[index]:
                anchors.append(_Anchor(_line_span(lines, index + 1, index + 1), True))
            continue
        matched = _match_block(wanted, normal, index, last)
        if matched:
            anchors.append(_Anchor(_line_span(lines, index + 1, matched), True))
    return anchors


def _match_block(wanted: list[str], normal: list[str], index: int, last: int) -> int:
    """Last line (1-based) of a block starting at ``index`` matching ``wanted``, skipping blanks; 0 if none."""
    position = index
    for number, piece in enumerate(wanted):
        while position < last and not normal[position] and number > 0:
            position += 1
        if position >= last:
            return 0
        line = normal[position]
        ok = (
            line.endswith(piece)
            if number == 0
            else line.startswith(piece)
            if number == len(wanted) - 1
            else line == piece
        )
        if not ok:
            return 0
        position += 1
    return position


def _offset_span(text: str, start: int, end: int, first_line: int) -> Span:
    start_line = first_line + text.count("\n", 0, start)
    start_col = start - (text.rfind("\n", 0, start) + 1)
    end_line = first_line + text.count("\n", 0, end)
    end_col = end - (text.rfind("\n", 0, end) + 1)
    return Span(start_line, start_col, end_line, end_col)


def _line_span(lines: list[str], first: int, last: int) -> Span:
    head = lines[first - 1]
    return Span(first, len(head) - len(head.lstrip()), last, len(lines[last - 1].rstrip("\r")))


def _on_changed_lines(span: Span, lines: list[str], changed: set[int]) -> bool:
    """At least half of the non-blank lines the span covers were changed (and at least one)."""
    covered = [n for n in range(span.start_line, span.last_line + 1) if lines[n - 1].strip()]
    hits = sum(1 for n in covered if n in changed)
    return hits > 0 and hits * 2 >= len(covered)


def _span_text(lines: list[str], span: Span) -> str:
    if span.start_line == span.end_line:
        return lines[span.start_line - 1][span.start_col : span.end_col]
    parts = [lines[span.start_line - 1][span.start_col :]]
    parts.extend(lines[span.start_line : span.end_line - 1])
    parts.append(lines[span.end_line - 1][: span.end_col])
    return "\n".join(parts)


def _edit(anchor: _Anchor, lines: list[str], improved: str) -> TextEdit:
    """The edit replacing the anchored code.

    A multi-line suggestion for code that starts a line (after its indent) and is quoted on
    one line, or quoted ignoring whitespace, is dedented and every later line re-indented
    with the file's indent: models write such suggestions flush left. Otherwise an exact
    quote keeps the model's own text (its indentation matched the file).
    """
    head = lines[anchor.span.start_line - 1]
    file_indent = head[: len(head) - len(head.lstrip())]
    single_line = anchor.span.start_line == anchor.span.end_line
    starts_line = anchor.span.start_col == len(file_indent)
    if "\n" not in improved or not starts_line or not (anchor.whole_lines or single_line):
        return TextEdit(anchor.span, improved)
    pieces = textwrap.dedent(improved).split("\n")
    body = "\n".join([pieces[0], *((file_indent + p) if p.strip() else p for p in pieces[1:])])
    return TextEdit(anchor.span, body)


def _python_compile_problem(text: str, fix: Fix, language: str | None) -> str | None:
    """tree-sitter accepts an unexpected indent in Python; the compiler does not."""
    if language != "python":
        return None
    try:
        compile(text, "<before>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None  # the file did not compile before the fix either
    try:
        compile(apply_edits(text, fix.edits), "<after>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"fix breaks the syntax: {getattr(exc, 'msg', exc)} (line {getattr(exc, 'lineno', '?')})"
    return None


def _fix_reason(problem: str) -> str:
    lowered = problem.lower()
    if "syntax" in lowered:
        return "unparseable"
    if "indent" in lowered:
        return "indentation"
    return "does-not-apply"


def _invented_missing_symbol(
    message: str, new_text: str, span: Span, lines: list[str], context: str
) -> bool:
    """The message says a name is missing, yet the name appears outside the flagged code."""
    if not _MISSING_CLAIM.search(message):
        return False
    names = {m.split(".")[-1] for m in _QUOTED_NAME.findall(message)}
    if not names:
        return False
    outside = "\n".join(lines[: span.start_line - 1] + lines[span.last_line :]) + "\n" + context
    return any(re.search(rf"\b{re.escape(name)}\b", outside) for name in names)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in _STOP}


_STOP = frozenset(
    [
        "the",
        "this",
        "that",
        "with",
        "from",
        "should",
        "would",
        "could",
        "here",
        "there",
        "have",
        "been",
        "will",
        "not",
        "are",
        "was",
        "were",
        "use",
        "used",
        "using",
        "instead",
        "when",
        "then",
        "than",
        "into",
        "onto",
        "also",
        "only",
        "llm",
    ]
)
