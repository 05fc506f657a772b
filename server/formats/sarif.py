"""SARIF 2.1.0 for code-scanning consumers (GitHub code scanning, Azure DevOps, IDE viewers).

One run per review: the rules that fired with their summary and default level, one result
per shown finding with ``partialFingerprints`` (tactful's own occurrence-unique fingerprint,
so an upload after a new push matches the old alerts), fixes as SARIF ``fixes``, related
locations, and the coverage as run properties plus one notification per coverage note.
Columns are Unicode code points (``columnKind``), 1-based, end-exclusive.
"""

from __future__ import annotations

import json
from typing import Any

from tactful.analyzers.model import Finding, Fix, Location, Severity, Span
from tactful.server.formats.common import (
    FINGERPRINT_KEY,
    TOOL_NAME,
    coverage_data,
    describe_rule,
    tool_version,
)
from tactful.server.pipeline import ReviewResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "SRCROOT"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.start_line,
        "startColumn": span.start_col + 1,
        "endLine": span.end_line,
        "endColumn": span.end_col + 1,
    }


def _physical(path: str, span: Span) -> dict[str, Any]:
    return {"artifactLocation": {"uri": path, "uriBaseId": SRCROOT}, "region": _region(span)}


def _fix(path: str, fix: Fix) -> dict[str, Any]:
    return {
        "description": {"text": fix.description},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": path, "uriBaseId": SRCROOT},
                "replacements": [
                    {
                        "deletedRegion": _region(edit.span),
                        "insertedContent": {"text": edit.new_text},
                    }
                    for edit in fix.edits
                ],
            }
        ],
    }


def _related(index: int, location: Location) -> dict[str, Any]:
    related: dict[str, Any] = {
        "id": index,
        "physicalLocation": _physical(location.path, location.span),
    }
    if location.message:
        related["message"] = {"text": location.message}
    return related


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical(finding.path, finding.span)}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "category": finding.category,
            "source": finding.source,
            "confidence": finding.confidence,
            "unit": finding.unit,
        },
    }
    if finding.fix is not None:
        result["fixes"] = [_fix(finding.path, finding.fix)]
    if finding.related:
        result["relatedLocations"] = [_related(i, loc) for i, loc in enumerate(finding.related, 1)]
    return result


def sarif_log(result: ReviewResult, label: str = "") -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    index_of: dict[str, int] = {}
    results = []
    for finding in result.findings:
        if finding.rule not in index_of:
            rule = describe_rule(finding)
            index_of[finding.rule] = len(rules)
            rules.append(
                {
                    "id": rule.id,
                    "shortDescription": {"text": rule.summary},
                    "help": {"text": rule.summary},
                    "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
                    "properties": {"category": rule.category, "tags": [rule.category]},
                }
            )
        results.append(_result(finding, index_of[finding.rule]))
    notifications: list[dict[str, Any]] = [
        {"level": "note", "message": {"text": note}, "descriptor": {"id": "coverage-note"}}
        for note in result.coverage.notes
    ]
    notifications += [
        {
            "level": "note",
            "message": {
                "text": f"{s.path} was not reviewed ({s.reason}{': ' + s.detail if s.detail else ''})"
            },
            "descriptor": {"id": "skipped-file"},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": s.path, "uriBaseId": SRCROOT}}}
            ],
        }
        for s in result.coverage.skipped
    ]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": TOOL_NAME, "version": tool_version(), "rules": rules}},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The root of the reviewed repository."}}
        },
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": results,
        "properties": {"change": label, "coverage": coverage_data(result)},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: ReviewResult, label: str = "") -> str:
    return json.dumps(sarif_log(result, label), indent=2, ensure_ascii=False) + "\n"
