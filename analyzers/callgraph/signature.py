"""The signature-change check: call sites a change forgot to update.

When a change alters a definition's parameters, every call site elsewhere that still
passes the old number of arguments (or a keyword argument that no longer exists) is
flagged, with the stale call sites as related locations. Renaming a parameter only breaks
callers that pass it by keyword; positional callers keep working, so they are not listed.
Reordering (swapping) parameters keeps every arity valid but binds positional arguments to
the wrong names, so positional callers that the change did not edit are listed.
Edges resolved by name alone are trusted only when the name is defined once in the repo.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from tactful.analyzers.callgraph.graph import NAME_ONLY, CallGraph, family
from tactful.analyzers.callgraph.tags import Definition, Reference
from tactful.analyzers.model import ChangeUnit, Finding, Location, Severity, Span

RULE = "callgraph.signature-change"
SUMMARY = "a changed signature that callers elsewhere still use the old way"
_MAX_LISTED = 5


def signature_change_findings(
    units: Iterable[ChangeUnit],
    old_defs: Iterable[Definition],
    new_defs: Iterable[Definition],
    graph: CallGraph,
) -> list[Finding]:
    """One finding per changed unit whose signature change left call sites stale.

    ``old_defs``/``new_defs`` are the definitions of the changed files before and after the
    change (old ones under the new path for renamed files); ``graph`` holds the repository
    after the change.
    """
    units = list(units)
    edited = {(u.path, line) for u in units for line in u.changed_new_lines}
    findings = []
    for unit, old, target in changed_definitions(units, old_defs, new_defs, graph):
        if (old.params, old.min_args, old.max_args) == (
            target.params,
            target.min_args,
            target.max_args,
        ):
            continue
        stale = _stale_calls(old, target, graph, edited)
        if stale:
            findings.append(_finding(unit, old, target, stale))
    return findings


def changed_definitions(
    units: Iterable[ChangeUnit],
    old_defs: Iterable[Definition],
    new_defs: Iterable[Definition],
    graph: CallGraph,
) -> Iterator[tuple[ChangeUnit, Definition, Definition]]:
    """(unit, old definition, new definition as the graph holds it) for each changed callable
    that exists once on both sides (added, deleted and overloaded ones are not comparable)."""
    old_by = _by_key(old_defs)
    new_by = _by_key(new_defs)
    for unit in units:
        olds, news = old_by.get((unit.path, unit.name), []), new_by.get((unit.path, unit.name), [])
        if len(olds) != 1 or len(news) != 1 or not news[0].callable:
            continue
        new = news[0]
        target = next(
            (d for d in graph.find(new.qualified_name, new.path) if d.span == new.span), None
        )
        if target is not None:
            yield unit, olds[0], target


def _first_moved(old: Definition, new: Definition) -> int | None:
    """Index of the first parameter that moved when the change only reordered the names."""
    if old.params == new.params or sorted(old.params) != sorted(new.params):
        return None
    return next(i for i, (a, b) in enumerate(zip(old.params, new.params, strict=True)) if a != b)


def _stale_calls(
    old: Definition, new: Definition, graph: CallGraph, edited: set[tuple[str, int]]
) -> list[tuple[Reference, str]]:
    removed = set(old.params) - set(new.params)
    moved = _first_moved(old, new)
    unique = (
        len(
            [
                d
                for d in graph.definitions_named(new.name)
                if family(d.language) == family(new.language)
            ]
        )
        == 1
    )
    stale = []
    for ref, confidence in graph.direct_calls(new):
        if confidence == NAME_ONLY and not unique:
            continue
        if ref.arity is not None and not new.accepts(ref.arity) and old.accepts(ref.arity):
            stale.append((ref, f"passes {ref.arity} argument{'s' if ref.arity != 1 else ''}"))
        elif removed & set(ref.keywords):
            names = ", ".join(sorted(removed & set(ref.keywords)))
            stale.append((ref, f"passes removed keyword {names}"))
        elif (
            moved is not None
            and ref.arity is not None
            and (ref.path, ref.span.start_line) not in edited
        ):
            # Reordered parameters keep every arity valid, so positional callers bind silently wrong.
            positional = ref.arity - len(ref.keywords)
            if positional > moved:
                stale.append(
                    (
                        ref,
                        f"passes {new.params[moved]} and later parameters by position in the old order",
                    )
                )
    stale.sort(key=lambda item: (item[0].path, item[0].span.start_line))
    return stale


def _finding(
    unit: ChangeUnit, old: Definition, new: Definition, stale: list[tuple[Reference, str]]
) -> Finding:
    shown = ", ".join(f"{ref.path}:{ref.span.start_line}" for ref, _ in stale[:_MAX_LISTED])
    more = f" and {len(stale) - _MAX_LISTED} more" if len(stale) > _MAX_LISTED else ""
    count = f"{len(stale)} call site{'s' if len(stale) != 1 else ''}"
    message = (
        f"`{new.name}` changed its parameters from ({', '.join(old.params)}) to ({', '.join(new.params)}), "
        f"but {count} still use the old signature: {shown}{more}"
    )
    related = tuple(
        Location(ref.path, ref.span, f"{ref.caller} {why}: {ref.snippet}") for ref, why in stale
    )
    line = new.span.start_line
    return Finding(
        path=unit.path,
        span=Span.lines(line, line),
        severity=Severity.WARNING,
        rule=RULE,
        message=message,
        category="correctness",
        source="callgraph",
        related=related,
        confidence=0.9,
        unit=unit.name,
        code=new.signature,
    )


def _by_key(defs: Iterable[Definition]) -> dict[tuple[str, str], list[Definition]]:
    out: dict[tuple[str, str], list[Definition]] = defaultdict(list)
    for d in defs:
        out[(d.path, d.qualified_name)].append(d)
    return out
