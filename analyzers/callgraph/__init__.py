"""Repository call graph: per-file tags (definitions, call sites, imports) and their resolution.

``extract_tags`` reads one file; ``CallGraph.build`` joins many and answers ``callers`` and
``callees``; ``signature_change_findings`` is the deterministic check built on it.
"""

from tactful.analyzers.callgraph.contracts import RULE_SUMMARIES as _CONTRACT_RULES
from tactful.analyzers.callgraph.graph import (
    CONFIDENCE_RANK,
    EXACT,
    IMPORTED,
    NAME_ONLY,
    CallGraph,
)
from tactful.analyzers.callgraph.imports import Import
from tactful.analyzers.callgraph.nullable import RULE as _NULL_RULE
from tactful.analyzers.callgraph.nullable import SUMMARY as _NULL_SUMMARY
from tactful.analyzers.callgraph.records import Callee, CallSite
from tactful.analyzers.callgraph.signature import RULE, SUMMARY, signature_change_findings
from tactful.analyzers.callgraph.tags import (
    MODULE,
    Definition,
    FileTags,
    Reference,
    extract_tags,
    tags_query,
)

CALLGRAPH_RULES = {RULE: SUMMARY, **_CONTRACT_RULES, _NULL_RULE: _NULL_SUMMARY}
"""Rule id -> summary of every finding the call graph reports."""

__all__ = [
    "CALLGRAPH_RULES",
    "CONFIDENCE_RANK",
    "EXACT",
    "IMPORTED",
    "MODULE",
    "NAME_ONLY",
    "RULE",
    "CallGraph",
    "CallSite",
    "Callee",
    "Definition",
    "FileTags",
    "Import",
    "Reference",
    "extract_tags",
    "signature_change_findings",
    "tags_query",
]
