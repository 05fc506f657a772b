"""``callgraph.unguarded-null``: a changed line reads through a value that another unit says
may be null.

The nullability is not visible in the changed unit itself; the call graph and the
project's other code supply it. Two kinds of evidence, both required to be specific:

- **a callee that returns null**: the changed code reads through (``x.f``, ``x->f``,
  ``x.m()``) the result of a call, directly or through a local variable, with no null test
  between, and the call resolves to project definitions that ``return null`` / ``nil`` /
  ``None`` / ``nullptr`` on some path (a Go ``return nil`` only when it is the sole result:
  ``return nil, err`` comes with an error the caller checks). A call resolved by name alone
  counts only when at least half of the definitions of that name return null.
- **a field the project tests for null** (``nullable_fields.py``): the changed line reads
  through ``recv.F`` where other functions beside this one test ``F`` against null more
  often than they read through it untested.

Pure: the engine passes the call graph and a reader of file texts in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import tree_sitter as ts
from tactful.analyzers.callgraph.call_use import CALL_TYPES, FUNCTION_TYPES, call_at
from tactful.analyzers.callgraph.contracts import Source, Trees
from tactful.analyzers.callgraph.graph import CallGraph
from tactful.analyzers.callgraph.nullable_callers import guards_at, precondition
from tactful.analyzers.callgraph.nullable_calls import CallFacts, CallHabit, call_key
from tactful.analyzers.callgraph.nullable_fields import FieldFacts, field_findings
from tactful.analyzers.callgraph.nullable_returns import NullReturns, nullable_callee, words_of
from tactful.analyzers.callgraph.tags import Reference
from tactful.analyzers.checks import guard_lang as g
from tactful.analyzers.checks.base import is_test_path
from tactful.analyzers.languages import parse_cached
from tactful.analyzers.model import ChangeUnit, Finding, Location, Severity, Span

RULE = "callgraph.unguarded-null"
SUMMARY = "a changed line reads through a value that a callee or the project's other code says may be null"
LANGUAGES = frozenset(
    {"java", "csharp", "go", "c", "cpp", "javascript", "typescript", "tsx", "python", "php", "ruby"}
)
"""Rust is left out: its Option is typed, and the compiler makes the caller handle it."""
CONFIDENCE = 0.5
_WRAPPERS = frozenset(
    {
        "parenthesized_expression",
        "cast_expression",
        "await_expression",
        "await",
        "as_expression",
        "equals_value_clause",
    }
)
_ASSIGNS = frozenset(
    {
        "assignment_expression",
        "assignment",
        "variable_declarator",
        "init_declarator",
        "short_var_declaration",
        "assignment_statement",
        "var_spec",
    }
)
_CONDITIONALS = frozenset({"elsif", "while_statement", "while", "until", "do_statement"})
_TARGET_FIELDS = ("left", "name", "declarator")
_OBJECT_FIELDS = ("object", "operand", "argument", "expression", "receiver", "value", "function")
_NAME = re.compile(r"^[$@]?[A-Za-z_]\w{0,60}$")
_CHOICE = re.compile(r"\?\.|\?->|\?\?|\s\?\s|&\.")
"""An optional chain, a null-coalescing operator or a ternary: the line handles null itself."""
_READ_AFTER = re.compile(r"^\s{0,2}(?:\.(?![.?])|->)\s{0,2}[A-Za-z_]")


@dataclass(frozen=True, slots=True)
class _Read:
    """A read through the result of one call: where, through which name, and the call."""

    line: int
    text: str
    """What the line reads: ``typeAdapter.nullSafe`` or ``find(x).name``."""
    variable: str
    """The local the result went into; empty when the line reads through the call itself."""
    ref: Reference
    guarded: frozenset[str]
    """Names the conditions around the call test."""


def unguarded_null_findings(
    units: Iterable[ChangeUnit],
    graph: CallGraph,
    source: Source,
    facts: FieldFacts | None = None,
    trees: Trees | None = None,
) -> list[Finding]:
    """Findings for changed lines that read through a value a callee may return as null, or
    through a field that the project's other code tests for null (``facts``). ``trees``: the
    review's trees of the changed files (parsed again otherwise)."""
    findings: list[Finding] = []
    nullable: dict[int, NullReturns] = {}
    units = list(units)
    changed = frozenset((u.path, u.name) for u in units)
    facts = facts or FieldFacts(graph, source, changed)
    calls = CallFacts(graph, source, changed)
    for unit in units:
        if unit.language not in LANGUAGES or not unit.changed_new_lines or unit.new_span is None:
            continue
        if is_test_path(unit.path):
            continue  # a test that reads through a null fails loudly; that is its check
        text = source(unit.path)
        tags = graph.files.get(unit.path)
        if text is None or tags is None:
            continue
        lines = text.splitlines()
        data = text.encode("utf-8")
        tree = (trees or {}).get(unit.path) or parse_cached(unit.language, data)
        added = frozenset(unit.changed_new_lines)
        flagged: set[int] = set()
        span = unit.new_span
        refs = [
            r
            for r in tags.references
            if span.start_line <= r.start_line <= span.end_line and r.caller == unit.name
        ]
        for ref in refs:
            read = _read_of(ref, tree, data, lines, unit, added)
            if read is not None and read.line not in flagged and not _preexisting(read, unit):
                where = nullable_callee(ref, graph, source, unit.language, nullable, read.guarded)
                if where is not None:
                    flagged.add(read.line)
                    findings.append(_finding(unit, read, where))
                    continue
                habit = calls.tested_often(unit.path, unit.language, call_key(ref))
                if habit is not None:
                    flagged.add(read.line)
                    findings.append(_habit_finding(unit, read, habit))
                    continue
            if ref.start_line in added and ref.start_line not in flagged:
                finding = _skipped_precondition(unit, ref, tree, data, lines, graph, source)
                if finding is not None:
                    flagged.add(ref.start_line)
                    findings.append(finding)
        definition = next((d for d in tags.definitions if d.qualified_name == unit.name), None)
        findings += [
            f
            for f in field_findings(unit, lines, facts, definition)
            if f.span.start_line not in flagged
        ]
    return findings


# --- the read through a call's result ----------------------------------------------------


def _read_of(
    ref: Reference,
    tree: ts.Tree,
    data: bytes,
    lines: list[str],
    unit: ChangeUnit,
    added: frozenset[int],
) -> _Read | None:
    """The first read through the call's result, when the change wrote the call or the read."""
    call = _call_node(tree, ref)
    if call is None or call.type in ("object_creation_expression", "new_expression"):
        return None
    node, parent = call, call.parent
    while parent is not None and (
        parent.type in _WRAPPERS
        or (parent.type == "expression_list" and parent.named_child_count == 1)
    ):
        node, parent = parent, parent.parent
    if parent is None:
        return None
    call_line = call.start_point[0] + 1
    if parent.type in _ASSIGNS:
        target = next(
            (t for f in _TARGET_FIELDS if (t := parent.child_by_field_name(f)) is not None), None
        )
        if target is None or target == node or _in_condition(parent):
            return None  # `elsif mapping = lookup(env)`: the assignment is the null test
        name = _text(target, data).lstrip("*& ")
        if target.type == "expression_list" and target.named_child_count == 1:
            name = _text(target.named_children[0], data)
        if not _NAME.match(name):
            return None
        after = node.end_point[0] + 1
        read = _first_read(name, lines, after, unit.new_span.end_line if unit.new_span else 0)
        if read is None or not ({call_line, read[0]} & added):
            return None
        return _Read(read[0], read[1], name, ref, _guarded(call, data))
    if any(parent.child_by_field_name(f) == node for f in _OBJECT_FIELDS):
        rest = data[node.end_byte : parent.end_byte].decode("utf-8", "replace")
        line = node.end_point[0] + 1
        if not _READ_AFTER.match(rest) or line not in added:
            return None
        shown = _text(call, data).split("(", 1)[0] + "(...)" + rest.split("(", 1)[0].strip()
        return _Read(line, shown, "", ref, _guarded(call, data))
    return None


def _in_condition(node: ts.Node) -> bool:
    """The node is (inside) the condition of an ``if``/``elsif``/``while``."""
    child, parent = node, node.parent
    while parent is not None and parent.type not in FUNCTION_TYPES:
        conditional = parent.type in g.IF_TYPES | _CONDITIONALS
        if conditional and parent.child_by_field_name("condition") == child:
            return True
        if parent.type in g.BLOCK_TYPES:
            return False
        child, parent = parent, parent.parent
    return False


def _guarded(call: ts.Node, data: bytes) -> frozenset[str]:
    return frozenset().union(*(words_of(text) for text, _ in guards_at(call, data)))


def _call_node(tree: ts.Tree, ref: Reference) -> ts.Node | None:
    """The call expression of the reference: the one that ends where it does (calls in a
    chain, ``a.get().create()``, all start at the same place)."""
    start, end = (ref.start_line - 1, ref.start_col), (ref.end_line - 1, ref.end_col)
    node = tree.root_node.descendant_for_point_range(start, end)
    while node is not None and node.type not in FUNCTION_TYPES:
        if node.type in CALL_TYPES and node.end_point == end:
            return node
        node = node.parent
    return call_at(tree, ref.start_line, ref.start_col)


def _first_read(name: str, lines: list[str], after: int, last: int) -> tuple[int, str] | None:
    """(line, text) of the first read through ``name`` from line ``after`` to ``last``, or
    None when a null test, a new assignment or the end comes first."""
    escaped = re.escape(name)
    reads = re.compile(
        rf"(?<![\w$@.]){escaped}\s{{0,2}}(?:(?:\.(?![.?])|->)\s{{0,2}}[A-Za-z_]\w*|\[)"
    )
    assigned = re.compile(rf"(?<![\w$@.]){escaped}\s{{0,2}}(?::=|=(?!=)|\?\?=|\|\|=)")
    mentions = re.compile(rf"(?<![\w$@.]){escaped}(?![\w$])")
    tested = g.null_test_line(name)
    for number in range(after, min(last, len(lines)) + 1):
        text = lines[number - 1]
        if g.COMMENT_LINE.match(text) or not mentions.search(text):
            continue
        if tested.search(text) or g.NULL_TEST_WORDS.search(text) or _CHOICE.search(text):
            return None  # tested (or handled by a ternary / optional chain) before any read
        found = reads.search(text)
        if found:
            return number, re.sub(r"\s+", "", found[0])
        if number > after and assigned.search(text):
            return None
    return None


def _preexisting(read: _Read, unit: ChangeUnit) -> bool:
    """The old unit already made the same unguarded read of the call's result (the change
    only moved or reformatted it); a read that the old code made after a null test is new."""
    old = unit.old_source
    if f"{read.ref.name}(" not in old:
        return False
    if not read.variable:  # the same call read through the same way: `f(...).x`
        member = re.escape(read.text.split("(...)")[-1])
        call = rf"(?<![\w$]){re.escape(read.ref.name)}\s*\((?:[^()]|\([^()]*\))*\)\s*{member}"
        return bool(re.search(call, old))
    lines = old.splitlines()
    assigned = re.compile(rf"(?<![\w$@.]){re.escape(read.variable)}\s{{0,2}}(?::=|=(?!=))")
    for number, text in enumerate(lines, 1):
        window = " ".join(lines[number - 1 : number + 2])
        if assigned.search(text) and f"{read.ref.name}(" in window:
            before = _first_read(read.variable, lines, number + 1, len(lines))
            if before is not None and before[1] == read.text:
                return True
    return False


def _text(node: ts.Node, data: bytes) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _skipped_precondition(
    unit: ChangeUnit,
    ref: Reference,
    tree: ts.Tree,
    data: bytes,
    lines: list[str],
    graph: CallGraph,
    source: Source,
) -> Finding | None:
    """A new call that skips the null or emptiness test every other caller makes."""
    assert unit.language is not None and unit.new_span is not None
    if f"{ref.name}(" in unit.old_source:
        return None  # the unit called it before: not a new caller
    call = _call_node(tree, ref)
    if call is None:
        return None
    found = precondition(ref, call, data, graph, source, unit.language)
    if found is None:
        return None
    if found.argument:
        mentions = re.compile(rf"(?<![\w$@.]){re.escape(found.argument)}(?![\w$])")
        earlier = lines[unit.new_span.start_line - 1 : ref.start_line]
        if any(
            mentions.search(t) and (g.NULL_TEST_WORDS.search(t) or _CHOICE.search(t))
            for t in earlier
        ):
            return None  # tested (or defaulted) before the call
    others = (
        "its other call site"
        if found.callers == 1
        else f"all {found.callers} of its other call sites"
    )
    where = f"{found.where[0]}:{found.where[1]}"
    if found.argument:
        message = (
            f"`{ref.name}()` reads through its parameter `{found.subject}` without a null test, "
            f"and {others} {'tests' if found.callers == 1 else 'test'} the argument first ({where}); this new call passes "
            f"`{found.argument}` with no such test."
        )
    else:
        message = (
            f"`{ref.name}()` reads through `{found.subject}` without a test, and {others} "
            f"{'calls' if found.callers == 1 else 'call'} it only after a null or emptiness test of `{found.subject}` ({where}); "
            f"this new call has no such test."
        )
    path, line = found.where
    return Finding(
        path=unit.path,
        span=Span.lines(ref.start_line, ref.start_line),
        severity=Severity.WARNING,
        rule=RULE,
        message=message,
        category="correctness",
        source="callgraph",
        related=(Location(path, Span.lines(line, line), f"another caller tests {found.subject}"),),
        confidence=CONFIDENCE,
        unit=unit.name,
        code=unit.signature,
    )


def _habit_finding(unit: ChangeUnit, read: _Read, habit: CallHabit) -> Finding:
    functions = len(habit.guarded)
    listed = ", ".join(f"{p}:{n}" for p, n in habit.guarded[:3])
    what = f"`{read.variable}` holds the result of" if read.variable else "This line reads through"
    message = (
        f"{what} `{habit.key}()`, which {functions} other functions here test for null before "
        f"using ({listed}); this line reads through it (`{read.text}`) without a check."
    )
    related = tuple(
        Location(p, Span.lines(n, n), f"tests the result of {habit.key}")
        for p, n in habit.guarded[:3]
    )
    return _made(unit, read.line, message, related)


def _made(unit: ChangeUnit, line: int, message: str, related: tuple[Location, ...]) -> Finding:
    return Finding(
        path=unit.path,
        span=Span.lines(line, line),
        severity=Severity.WARNING,
        rule=RULE,
        message=message,
        category="correctness",
        source="callgraph",
        related=related,
        confidence=CONFIDENCE,
        unit=unit.name,
        code=unit.signature,
    )


def _finding(unit: ChangeUnit, read: _Read, where: Location) -> Finding:
    called = f"`{read.ref.name}()`"
    word = where.message.split(";")[-1].rsplit(" ", 1)[-1]
    word = word if word in ("nil", "None", "NULL", "nullptr", "undefined") else "null"
    place = f"{where.path}:{where.span.start_line}"
    if ";" in where.message:  # a by-name match: how many of the definitions return null
        place = f"{where.message.split(';')[0]}, e.g. {place}"
    if read.variable:
        message = (
            f"`{read.variable}` holds the result of {called}, which returns {word} on some paths "
            f"({place}); this line reads through it (`{read.text}`) without a {word} check."
        )
    else:
        message = (
            f"{called} returns {word} on some paths ({place}); this line reads through its "
            f"result (`{read.text}`) without a {word} check."
        )
    return Finding(
        path=unit.path,
        span=Span.lines(read.line, read.line),
        severity=Severity.WARNING,
        rule=RULE,
        message=message,
        category="correctness",
        source="callgraph",
        related=(where,),
        confidence=CONFIDENCE,
        unit=unit.name,
        code=unit.signature,
    )


__all__ = ["CALL_TYPES", "CONFIDENCE", "LANGUAGES", "RULE", "SUMMARY", "unguarded_null_findings"]
