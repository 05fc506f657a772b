"""What the machine formats share: rule descriptions, coverage as plain data, text lookups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tactful.analyzers.checks import RULES
from tactful.analyzers.model import Finding, Severity
from tactful.server.output import coverage_json
from tactful.server.pipeline import ReviewResult

TOOL_NAME = "tactful"
FINGERPRINT_KEY = "tactful/v1"


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tactful")
    except PackageNotFoundError:  # running from a source tree without an install
        return "0+unknown"


@dataclass(frozen=True)
class RuleDescription:
    id: str
    summary: str
    severity: Severity
    category: str


def describe_rule(finding: Finding) -> RuleDescription:
    """The rule's own description when it is a deterministic check, else one built from the finding."""
    info = RULES.get(finding.rule)
    if info is not None:
        return RuleDescription(info.id, info.summary, info.severity, info.category)
    from tactful.analyzers.callgraph import CALLGRAPH_RULES  # loaded by the review already

    if finding.rule.startswith("llm."):
        summary = f"LLM reviewer: {finding.category} issue"
    else:
        summary = CALLGRAPH_RULES.get(finding.rule, finding.rule)
    return RuleDescription(finding.rule, summary, finding.severity, finding.category)


def coverage_data(result: ReviewResult) -> dict[str, Any]:
    """The JSON output's coverage plus how many findings were shown and hidden."""
    return {
        **coverage_json(result.coverage),
        "shown": len(result.findings),
        "hidden": len(result.hidden),
    }


def new_texts(result: ReviewResult) -> dict[str, str | None]:
    return {f.change.path: f.new_text for f in result.files}


def line_of(text: str | None, number: int) -> str:
    if text is None:
        return ""
    lines = text.split("\n")
    return lines[number - 1] if 0 < number <= len(lines) else ""
