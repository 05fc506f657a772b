"""Render a :class:`ReviewResult` as compiler-style text or as stable JSON.

The JSON shape is described by ``server/data/review.schema.json`` (tested); bump
``JSON_VERSION`` on any incompatible change. JSON columns are 1-based, like the text output.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from tactful.analyzers.callgraph.records import Callee, CallSite
from tactful.analyzers.context import UnitCalls
from tactful.analyzers.fixes import apply_edits
from tactful.analyzers.model import Coverage, Finding, Fix, Location, Span
from tactful.server.pipeline import ReviewResult
from tactful.server.untracked import summary as untracked_summary

JSON_VERSION = 1


def _position(span: Span) -> dict[str, int]:
    return {
        "line": span.start_line,
        "column": span.start_col + 1,
        "endLine": span.end_line,
        "endColumn": span.end_col + 1,
    }


def _fix_json(fix: Fix, new_text: str | None) -> dict[str, Any]:
    return {
        "description": fix.description,
        "edits": [{**_position(e.span), "newText": e.new_text} for e in fix.edits],
        "diff": fix_diff(fix, new_text, "") if new_text is not None else "",
    }


def _location_json(loc: Location) -> dict[str, Any]:
    return {"path": loc.path, **_position(loc.span), "message": loc.message}


def finding_json(finding: Finding, new_text: str | None = None) -> dict[str, Any]:
    return {
        "path": finding.path,
        **_position(finding.span),
        "severity": finding.severity.value,
        "rule": finding.rule,
        "category": finding.category,
        "source": finding.source,
        "message": finding.message,
        "unit": finding.unit,
        "confidence": finding.confidence,
        "fingerprint": finding.fingerprint,
        "fix": _fix_json(finding.fix, new_text) if finding.fix else None,
        "related": [_location_json(loc) for loc in finding.related],
    }


def caller_json(site: CallSite) -> dict[str, Any]:
    return {"path": site.path, "line": site.span.start_line, "column": site.span.start_col + 1,
            "caller": site.caller, "snippet": site.snippet, "confidence": site.confidence, "depth": site.depth}  # fmt: skip


def callee_json(callee: Callee) -> dict[str, Any]:
    return {"name": callee.qualified_name, "path": callee.path, "line": callee.span.start_line,
            "kind": callee.kind, "signature": callee.signature, "confidence": callee.confidence,
            "depth": callee.depth}  # fmt: skip


def _new_texts(result: ReviewResult) -> dict[str, str | None]:
    return {f.change.path: f.new_text for f in result.files}


def result_json(result: ReviewResult, label: str = "") -> dict[str, Any]:
    texts = _new_texts(result)
    units = []
    for file in result.files:
        for unit in file.units:
            calls = result.unit_context.get((unit.path, unit.name), UnitCalls())
            units.append(
                {
                    "path": unit.path,
                    "language": unit.language,
                    "kind": unit.kind,
                    "name": unit.name,
                    "signature": unit.signature,
                    "newRange": [unit.new_span.start_line, unit.new_span.last_line]
                    if unit.new_span
                    else None,
                    "oldRange": [unit.old_span.start_line, unit.old_span.last_line]
                    if unit.old_span
                    else None,
                    "addedLines": list(unit.changed_new_lines),
                    "removedLines": list(unit.changed_old_lines),
                    "callers": [caller_json(c) for c in calls.callers],
                    "callees": [callee_json(c) for c in calls.callees],
                }
            )
    return {
        "version": JSON_VERSION,
        "change": label,
        "findings": [finding_json(f, texts.get(f.path)) for f in result.findings],
        "hidden": [finding_json(f, texts.get(f.path)) for f in result.hidden],
        "units": units,
        "coverage": coverage_json(result.coverage),
    }


def coverage_json(cov: Coverage) -> dict[str, Any]:
    """The coverage as JSON-ready data (also carried by the CI formats)."""
    return {
        "reviewed": list(cov.reviewed),
        "skipped": [{"path": s.path, "reason": s.reason, "detail": s.detail} for s in cov.skipped],
        "hunkLevel": list(cov.hunk_level),
        "units": cov.units,
        "notes": list(cov.notes),
        "counters": dict(cov.counters),
        "untracked": list(cov.untracked),
    }


def render_json(result: ReviewResult, label: str = "") -> str:
    return json.dumps(result_json(result, label), indent=2, ensure_ascii=False) + "\n"


def fix_diff(fix: Fix, new_text: str | None, indent: str = "    ") -> str:
    """The fix as a small unified diff (one line of context) of the affected lines."""
    if new_text is None:
        return ""
    try:
        fixed = apply_edits(new_text, fix.edits)
    except ValueError:
        return ""
    before = new_text.splitlines(keepends=True)
    after = fixed.splitlines(keepends=True)
    lines = list(difflib.unified_diff(before, after, n=1, lineterm=""))[2:]  # drop ---/+++ headers
    return "".join(f"{indent}{line.rstrip(chr(10)).rstrip(chr(13))}\n" for line in lines)


def render_text(result: ReviewResult, label: str = "", *, color: bool = False) -> str:
    texts = _new_texts(result)
    out: list[str] = []
    for f in result.findings:
        out.append(
            f"{f.path}:{f.span.start_line}:{f.span.start_col + 1}: {f.severity.value} [{f.rule}] {f.message}\n"
        )
        for loc in f.related:
            out.append(
                f"  {loc.path}:{loc.span.start_line}:{loc.span.start_col + 1}: note: {loc.message}\n"
            )
        if f.fix:
            out.append(f"  fix: {f.fix.description}\n")
            out.append(fix_diff(f.fix, texts.get(f.path)))
    out.append(coverage_summary(result, label))
    return "".join(out)


def coverage_summary(result: ReviewResult, label: str = "") -> str:
    cov = result.coverage
    severities = Counter(f.severity.value for f in result.findings)
    counts = ", ".join(f"{n} {sev}" for sev, n in sorted(severities.items())) or "no findings"
    lines = [
        f"tactful: {label + ': ' if label else ''}{len(result.findings)} finding(s) ({counts}); "
        f"{len(cov.reviewed)} file(s) reviewed, {cov.units} change unit(s)"
        + (f", {len(result.hidden)} hidden by the gate (--all shows them)" if result.hidden else "")
    ]
    # Untracked files a setting or limit left out can be thousands: one line counts them.
    listed = [s for s in cov.skipped if s.reason != "untracked"]
    if listed:
        lines.append(
            "  skipped: "
            + ", ".join(
                f"{s.path} ({s.reason}{': ' + s.detail if s.detail else ''})" for s in listed
            )
        )
    if left_out := untracked_summary(cov.skipped):
        lines.append(f"  {left_out}")
    if cov.hunk_level:
        lines.append("  hunk-level only: " + ", ".join(cov.hunk_level))
    if llm := _llm_usage(dict(cov.counters)):
        lines.append(f"  {llm}")
    lines.extend(f"  note: {note}" for note in cov.notes)
    return "\n".join(lines) + "\n"


def _llm_usage(counters: Mapping[str, int]) -> str:
    """Model calls and tokens this review spent (empty when the LLM reviewer asked nothing)."""
    calls = counters.get("llm.replies", 0) + sum(
        n for key, n in counters.items() if key.startswith("llm.errors.")
    )
    hits = counters.get("llm.cache.hits", 0)
    if not calls and not hits:
        return ""
    tokens = counters.get("llm.tokens.prompt", 0), counters.get("llm.tokens.completion", 0)
    cached = f", {hits} answered from the cache" if hits else ""
    return f"LLM: {calls} model call(s), {tokens[0]:,} prompt + {tokens[1]:,} completion tokens{cached}"
