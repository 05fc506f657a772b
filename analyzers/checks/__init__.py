"""Deterministic review checks: rules a senior reviewer would apply to every change, with fixes.

``run_checks`` parses the new file once, runs every enabled rule for its language in
isolation (a rule that raises is reported in ``errors`` and the others go on), keeps only
findings on lines the change added, and attaches a fix only when
:func:`tactful.analyzers.fixes.validate_fix` accepts it. ``RULES`` describes every rule for
documentation and the CLI's rule listing.

Rule families live one per module: ``debug`` (leftover prints and breakpoints, with one
file-purpose exemption for every language), ``errors`` (swallowed exceptions),
``error_defaults`` (errors turned into defaults), ``error_propagation`` (handlers and
callbacks that stopped passing errors on), ``error_results`` (results no longer checked), ``go`` (ignored Go errors), ``python`` (Python pitfalls), ``asserts`` (assertions that validate arguments, dropped in
production builds),
``pitfalls`` (JS and C pitfalls), ``guards`` (guards the change deleted while the value is still used), ``guard_weakened`` (a null check whose exit now also needs a second condition), ``dropped`` (an early return that skips what a parameter asked for), ``injection`` (SQL and shell text built from dynamic
pieces), ``injection_c`` (C/C++ shell commands built with sprintf/strcat/`+`), ``leaks`` (handles never released, releases the change deleted), ``leak_paths`` (C/C++ failure returns that leave an allocation behind), ``secrets``, ``logged_secrets`` (passwords and tokens passed to a logging call),
``logic_bounds``, ``logic_variables``, ``logic_branches`` and ``logic_conditions`` (off-by-one
loops, wrong variables and self-contradictory conditions, decided from the old and new lines), and
``hygiene`` (conflict markers, commented-out code), ``todos`` (unlinked TODOs, judged by the
project's habit). Findings come out sorted, with
identical ones numbered (:func:`~tactful.analyzers.model.number_occurrences`) so each has
its own fingerprint. Tree-sitter patterns live in one ``<language>.scm`` file per grammar
in this package.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import tree_sitter as ts
from tactful.analyzers.checks import (
    asserts,
    debug,
    dropped,
    dropped_options,
    error_defaults,
    error_propagation,
    error_results,
    errors,
    go,
    guard_weakened,
    guards,
    hygiene,
    injection,
    injection_c,
    leak_paths,
    leak_removals,
    leaks,
    logged_secrets,
    logic_bounds,
    logic_branches,
    logic_conditions,
    logic_variables,
    pitfalls,
    python,
    scopes,
    secrets,
    todos,
)
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.checks.moved import MovedLines, moved_lines
from tactful.analyzers.fixes import FixValidator
from tactful.analyzers.habits import ProjectHabits
from tactful.analyzers.languages import SPECS, parse
from tactful.analyzers.model import ChangeUnit, FileChange, Finding, Fix, number_occurrences

__all__ = [
    "ALL_RULES",
    "RULES",
    "CheckResult",
    "Rule",
    "RuleInfo",
    "is_disabled",
    "run_checks",
    "run_rules",
]


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...]
    errors: tuple[str, ...]
    """One line per rule that crashed: ``py.mutable-default crashed on x.py: KeyError: ...``."""


ALL_RULES: tuple[Rule, ...] = (
    *secrets.RULES,
    *logged_secrets.RULES,
    *hygiene.RULES,
    *todos.RULES,
    *debug.RULES,
    *errors.RULES,
    *error_defaults.RULES,
    *error_propagation.RULES,
    *error_results.RULES,
    *go.RULES,
    *guards.RULES,
    *guard_weakened.RULES,
    *dropped.RULES,
    *dropped_options.RULES,
    *python.RULES,
    *asserts.RULES,
    *pitfalls.RULES,
    *injection.RULES,
    *injection_c.RULES,
    *leaks.RULES,
    *leak_removals.RULES,
    *leak_paths.RULES,
    *scopes.RULES,
    *logic_bounds.RULES,
    *logic_variables.RULES,
    *logic_branches.RULES,
    *logic_conditions.RULES,
)

RULES: Mapping[str, RuleInfo] = MappingProxyType({rule.info.id: rule.info for rule in ALL_RULES})


MAX_FIXES_PER_FILE = 200
"""Fixes validated per file; past this (a huge generated-looking file) findings come without fixes,
since each validation re-parses the file (incrementally: about 2-10 ms on 5,000 lines)."""


def is_disabled(rule_id: str, disabled: frozenset[str]) -> bool:
    """Exact ids, or glob patterns such as ``py.*``."""
    return rule_id in disabled or any(fnmatch.fnmatchcase(rule_id, pattern) for pattern in disabled)


def run_checks(
    file: FileChange,
    units: Sequence[ChangeUnit],
    new_text: str,
    language: str | None,
    *,
    disabled: frozenset[str] = frozenset(),
    tree: ts.Tree | None = None,
    old_text: str | None = None,
    habits: ProjectHabits | None = None,
) -> CheckResult:
    """Findings of every enabled rule on the lines ``file`` adds to ``new_text``.

    ``tree``, if given, must be ``new_text`` already parsed as ``language`` (saves a parse).
    ``old_text`` is the file before the change (None for an added file): rules that compare
    the two sides (a deleted guard, a dropped release) read it through the context.
    ``habits`` are the repository's conventions, for rules that follow them (TODO links).
    """
    return run_rules(
        ALL_RULES,
        file,
        units,
        new_text,
        language,
        disabled=disabled,
        tree=tree,
        old_text=old_text,
        habits=habits,
    )


def run_rules(
    rules: Sequence[Rule],
    file: FileChange,
    units: Sequence[ChangeUnit],
    new_text: str,
    language: str | None,
    *,
    disabled: frozenset[str] = frozenset(),
    tree: ts.Tree | None = None,
    old_text: str | None = None,
    habits: ProjectHabits | None = None,
) -> CheckResult:
    """:func:`run_checks` over an explicit rule list (for tools and tests that add rules)."""
    added = frozenset(file.added_lines).union(*(u.changed_new_lines for u in units))
    rules = [r for r in rules if r.applies_to(language) and not is_disabled(r.info.id, disabled)]
    if not (added or file.removed_lines) or not rules:
        return CheckResult((), ())
    if language not in SPECS:
        tree = None
    elif tree is None:
        tree = parse(language, new_text)
    ctx = CheckContext(
        file,
        units,
        new_text,
        language if tree is not None else None,
        tree,
        added,
        old_text=old_text,
        habits=habits or ProjectHabits(),
    )
    validator = _BudgetedValidator(new_text, ctx.language, tree, MAX_FIXES_PER_FILE)
    hunk_ranges = [(h.new_start, h.new_start + max(h.new_count, 1)) for h in file.hunks]
    findings: list[Finding] = []
    problems: list[str] = []
    moved = moved_lines(ctx)
    for rule in rules:
        try:
            hits = [
                h
                for h in rule.find(ctx)
                if _on_change(h, added, hunk_ranges) and _new_code(h, moved)
            ]
            findings.extend(_finding(ctx, rule.info, hit, validator) for hit in hits)
        except Exception as exc:  # one broken rule must not hide the others' findings
            problems.append(
                f"{rule.info.id} crashed on {file.path}: {exc.__class__.__name__}: {exc}"
            )
    findings = _one_per_line_and_category(findings)
    findings.sort(key=lambda f: (f.span.start_line, f.span.start_col, f.rule))
    return CheckResult(tuple(number_occurrences(findings)), tuple(problems))


def _one_per_line_and_category(findings: list[Finding]) -> list[Finding]:
    """Where rules agree (a bare ``except: pass`` that also swallows what the old code raised),
    a reviewer writes one comment: keep the most severe, fixable, confident finding of each
    category on a line."""
    best: dict[tuple[int, str], Finding] = {}
    for finding in findings:
        key = (finding.span.start_line, finding.category)
        kept = best.get(key)
        if kept is None or _weight(finding) > _weight(kept):
            best[key] = finding
    return list(best.values())


def _weight(finding: Finding) -> tuple[int, bool, float]:
    return (finding.severity.rank, finding.fix is not None, finding.confidence)


def _new_code(hit: Hit, moved: MovedLines) -> bool:
    # A hit about a deletion compares the two sides itself; the filter is for the added line's own text.
    return hit.anchored_on_removal or not (
        moved and moved.covers(hit.span.start_line, hit.span.start_col)
    )


def _on_change(hit: Hit, added: frozenset[int], hunk_ranges: list[tuple[int, int]]) -> bool:
    line = hit.span.start_line
    if line in added:
        return True
    return hit.anchored_on_removal and any(start <= line < end for start, end in hunk_ranges)


@dataclass
class _BudgetedValidator:
    """Validates at most ``remaining`` fixes; builds its FixValidator only when a fix shows up."""

    text: str
    language: str | None
    tree: ts.Tree | None
    remaining: int
    _validator: FixValidator | None = None

    def accepts(self, fix: Fix) -> bool:
        if self.remaining <= 0:
            return False
        self.remaining -= 1
        if self._validator is None:
            self._validator = FixValidator(self.text, self.language, self.tree)
        return self._validator.check(fix) is None


def _finding(ctx: CheckContext, info: RuleInfo, hit: Hit, validator: _BudgetedValidator) -> Finding:
    fix = hit.fix
    if fix is not None and not validator.accepts(fix):
        fix = None  # an unsafe fix is worse than none; the finding still stands
    return Finding(
        path=ctx.path,
        span=hit.span,
        severity=info.severity,
        rule=info.id,
        message=hit.message,
        category=info.category,
        source="checks",
        unit=ctx.unit_name(hit.span.start_line),
        code=hit.code,
        fix=fix,
        related=hit.related,
        confidence=info.confidence if hit.confidence is None else hit.confidence,
    )
