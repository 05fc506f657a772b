"""Translate between tactful's model and lsprotocol types.

The model counts lines from 1 and columns in code points from 0 (ends exclusive). LSP
counts lines from 0 and columns in the code units of the negotiated position encoding:
UTF-16 unless the client offered UTF-8 or UTF-32 (Neovim does). Every conversion needs the
document's lines because a column's width in code units depends on the characters before it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lsprotocol import types
from tactful.analyzers.model import Finding, Location, Severity, Span

SOURCE = "tactful"
"""``Diagnostic.source`` of everything tactful publishes."""

DEFAULT_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}

LSP_SEVERITY_NAMES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def _units(text: str, encoding: str) -> int:
    """Length of ``text`` in code units of ``encoding`` (``utf-8``, ``utf-16`` or ``utf-32``)."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _line_text(lines: Sequence[str], index: int) -> str:
    return lines[index].rstrip("\r\n") if 0 <= index < len(lines) else ""


def to_position(lines: Sequence[str], line: int, col: int, encoding: str) -> types.Position:
    """Model (1-based line, code-point column) to an LSP position."""
    index = max(line - 1, 0)
    text = _line_text(lines, index)
    return types.Position(line=index, character=_units(text[: max(col, 0)], encoding))


def to_range(lines: Sequence[str], span: Span, encoding: str) -> types.Range:
    return types.Range(
        start=to_position(lines, span.start_line, span.start_col, encoding),
        end=to_position(lines, span.end_line, span.end_col, encoding),
    )


def from_position(lines: Sequence[str], position: types.Position, encoding: str) -> tuple[int, int]:
    """An LSP position to the model's (1-based line, code-point column)."""
    text = _line_text(lines, position.line)
    units = 0
    for col, ch in enumerate(text):
        if units >= position.character:
            return position.line + 1, col
        units += _units(ch, encoding)
    return position.line + 1, len(text)


def from_range(lines: Sequence[str], rng: types.Range, encoding: str) -> Span:
    start = from_position(lines, rng.start, encoding)
    end = from_position(lines, rng.end, encoding)
    return Span(start[0], start[1], end[0], end[1])


def severity_table(severity_map: Mapping[str, str]) -> dict[Severity, types.DiagnosticSeverity]:
    """The default mapping overridden by ``lsp.severityMap``; unknown names are ignored here
    (settings validation reports them)."""
    table = dict(DEFAULT_SEVERITY)
    for ours, theirs in severity_map.items():
        try:
            severity = Severity(ours.lower())
        except ValueError:
            continue
        if theirs.lower() in LSP_SEVERITY_NAMES:
            table[severity] = LSP_SEVERITY_NAMES[theirs.lower()]
    return table


def suggestion_id(finding: Finding, version: int) -> str:
    """Names one showing of a finding: the same code flagged again in a later version is a new suggestion."""
    return f"{finding.fingerprint}:{version}"


def to_diagnostic(
    finding: Finding,
    lines: Sequence[str],
    encoding: str,
    severities: Mapping[Severity, types.DiagnosticSeverity],
    version: int,
    uri_of: Callable[[str], str],
    lines_of: Callable[[str], Sequence[str] | None],
) -> types.Diagnostic:
    """A finding as a diagnostic; ``uri_of`` and ``lines_of`` resolve related locations' paths."""
    return types.Diagnostic(
        range=to_range(lines, finding.span, encoding),
        message=finding.message,
        severity=severities.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.rule,
        source=SOURCE,
        data={"fingerprint": finding.fingerprint, "suggestionId": suggestion_id(finding, version)},
        related_information=[_related(loc, encoding, uri_of, lines_of) for loc in finding.related]
        or None,
    )


def _related(
    loc: Location,
    encoding: str,
    uri_of: Callable[[str], str],
    lines_of: Callable[[str], Sequence[str] | None],
) -> types.DiagnosticRelatedInformation:
    other_lines = lines_of(loc.path) or ()
    return types.DiagnosticRelatedInformation(
        location=types.Location(
            uri=uri_of(loc.path), range=to_range(other_lines, loc.span, encoding)
        ),
        message=loc.message or "related",
    )


def diagnostic_data(diagnostic: types.Diagnostic) -> dict[str, Any]:
    """The ``data`` tactful put on a diagnostic (clients return it as plain JSON)."""
    data = diagnostic.data
    return data if isinstance(data, dict) else {}
