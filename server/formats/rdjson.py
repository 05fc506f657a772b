"""reviewdog's Diagnostic Format (rdjson), so ``reviewdog -f=rdjson`` can post to any host it supports.

Positions are 1-based with columns counted in UTF-8 bytes (reviewdog's rule), ranges
end-exclusive; fixes become ``suggestions``. rdjson has no fingerprint field, so the
fingerprint rides in ``original_output`` (``fingerprint=<hex>``) for steps that de-duplicate.

rdjson has no field for coverage either; it rides as a top-level ``coverage`` object (the
JSON format's, plus the shown and hidden counts). The schema allows extra properties, and
reviewdog reads rdjson with unknown fields discarded since v0.18.0 (June 2024): it posts
the diagnostics and ignores the coverage, which a step can read from the same document.
Older reviewdog refuses unknown fields, so they fail on this document.
"""

from __future__ import annotations

import json
from typing import Any

from tactful.analyzers.model import Finding, Location, Severity, Span
from tactful.server.formats.common import TOOL_NAME, coverage_data, line_of, new_texts
from tactful.server.pipeline import ReviewResult

SEVERITIES = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}


def _column(text: str | None, line: int, col: int) -> int:
    """1-based UTF-8 byte column of code-point column ``col`` (0-based) on ``line``."""
    return len(line_of(text, line)[:col].encode("utf-8")) + 1


def _range(text: str | None, span: Span) -> dict[str, Any]:
    return {
        "start": {
            "line": span.start_line,
            "column": _column(text, span.start_line, span.start_col),
        },
        "end": {"line": span.end_line, "column": _column(text, span.end_line, span.end_col)},
    }


def _related(location: Location, texts: dict[str, str | None]) -> dict[str, Any]:
    return {
        "message": location.message,
        "location": {
            "path": location.path,
            "range": _range(texts.get(location.path), location.span),
        },
    }


def diagnostic(finding: Finding, texts: dict[str, str | None]) -> dict[str, Any]:
    text = texts.get(finding.path)
    out: dict[str, Any] = {
        "message": finding.message,
        "location": {"path": finding.path, "range": _range(text, finding.span)},
        "severity": SEVERITIES.get(finding.severity, "WARNING"),
        "source": {"name": TOOL_NAME},
        "code": {"value": finding.rule},
        "original_output": f"fingerprint={finding.fingerprint}",
    }
    if finding.fix is not None:
        out["suggestions"] = [
            {"range": _range(text, edit.span), "text": edit.new_text} for edit in finding.fix.edits
        ]
    if finding.related:
        out["related_locations"] = [_related(loc, texts) for loc in finding.related]
    return out


def rdjson_result(result: ReviewResult, label: str = "") -> dict[str, Any]:
    texts = new_texts(result)
    return {
        "source": {"name": TOOL_NAME},
        "diagnostics": [diagnostic(f, texts) for f in result.findings],
        "coverage": {"change": label, **coverage_data(result)},
    }


def render(result: ReviewResult, label: str = "") -> str:
    return json.dumps(rdjson_result(result, label), indent=2, ensure_ascii=False) + "\n"
