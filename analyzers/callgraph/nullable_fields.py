"""Fields the project tests for null: the second evidence of ``callgraph.unguarded-null``.

A changed line reads through ``recv.F`` (``res.RawResponse.Proto``, ``node->next->key``)
with no null test of ``F`` in the unit before it. That is worth saying only when the code
around it, the other functions of the same directory (a Go package, a Java package, a
module folder), test ``F`` against null before reading it in at least two functions and
more often than they read through it untested. The receiver must be the unit's own
(``self``/``this``, a parameter, the Go receiver or a local), so ``os.path.join`` is never
a read through a field ``path``.

Pure: file texts come through the engine's reader; counts are kept per directory.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from tactful.analyzers.callgraph.contracts import Source
from tactful.analyzers.callgraph.graph import CallGraph, family
from tactful.analyzers.callgraph.tags import Definition
from tactful.analyzers.callgraph.tagtypes import FileTags
from tactful.analyzers.checks import guard_lang as g
from tactful.analyzers.checks.base import is_test_path
from tactful.analyzers.model import ChangeUnit, Finding, Location, Severity, Span

_RULE = "callgraph.unguarded-null"
_CONFIDENCE = 0.5
_MIN_GUARDED = 2
_MAX_FILES = 300
_MAX_LISTED = 3
_NULLS = r"(?:nil|null|NULL|nullptr|undefined|None)"
_MEMBER = r"(?:\.|->)"
_CHAIN = re.compile(r"(?<![\w$@])([$@]?[A-Za-z_]\w*)((?:\s?(?:\.(?![.?])|->)\s?[A-Za-z_]\w*){2,8})")
"""``root.a.b.c``: group 1 the root, group 2 the member chain (two members or more)."""
_NULL_TEST = re.compile(
    rf"{_MEMBER}([A-Za-z_]\w*)\s*(?:===?|!==?|\s+is\s+(?:not\s+)?)\s*{_NULLS}\b"
    rf"|\b{_NULLS}\s*(?:===?|!==?)\s*[\w$@.>\-]*?{_MEMBER}([A-Za-z_]\w*)\b(?!\s*[.(\[]|->)"
    rf"|\b(?:is_null|isset|empty)\(\s*[\w$@.>\-]*?->([A-Za-z_]\w*)\s*\)"
    rf"|{_MEMBER}([A-Za-z_]\w*)\.nil\?"
)
"""``x.F == nil``, ``null != x.F``, ``x.F is None``, ``isset($this->F)``, ``x.F.nil?``."""
_READ_THROUGH = re.compile(rf"{_MEMBER}\s?([A-Za-z_]\w*)\s?(?:\.(?![.?])|->)\s?[A-Za-z_]")
_NULL_WORD = {"go": "nil", "ruby": "nil", "python": "None", "c": "NULL", "cpp": "nullptr"}
_OWN_ROOTS = frozenset({"self", "this", "$this", "@"})


@dataclass
class _Counts:
    guarded: dict[str, list[tuple[str, int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """Field -> (path, line, function) of each function that tests it against null."""
    unguarded: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    """Field -> (path, function) of each function that reads through it with no null test."""


class FieldFacts:
    """Null tests and reads of fields, per directory of the repository (computed on demand)."""

    def __init__(
        self, graph: CallGraph, source: Source, changed: frozenset[tuple[str, str]] = frozenset()
    ) -> None:
        """``changed``: (path, qualified name) of the units under review, left out of the
        counts: the project's habit is what the unchanged code does."""
        self._graph, self._source, self._changed = graph, source, changed
        self._dirs: dict[tuple[str, str], _Counts] = {}

    def counts(self, path: str, language: str) -> _Counts:
        key = (posixpath.dirname(path), family(language))
        if key not in self._dirs:
            self._dirs[key] = self._count(*key)
        return self._dirs[key]

    def _count(self, directory: str, fam: str) -> _Counts:
        counts = _Counts()
        for path, tags, text in directory_sources(self._graph, self._source, directory, fam):
            owners = owners_of(tags.definitions)
            tested: dict[str, set[str]] = defaultdict(set)
            read: dict[str, set[str]] = defaultdict(set)
            for number, line in enumerate(text.splitlines(), 1):
                if g.COMMENT_LINE.match(line):
                    continue
                owner = owners.get(number, "")
                if (path, owner) in self._changed:
                    continue
                for match in _NULL_TEST.finditer(line):
                    name = next(n for n in match.groups() if n)
                    if owner not in tested[name]:
                        tested[name].add(owner)
                        counts.guarded[name].append((path, number, owner))
                for match in _READ_THROUGH.finditer(line):
                    read[match[1]].add(owner)
            for name, functions in read.items():
                counts.unguarded[name] |= {(path, f) for f in functions - tested[name]}
        return counts


def directory_sources(
    graph: CallGraph, source: Source, directory: str, fam: str
) -> Iterator[tuple[str, FileTags, str]]:
    """The non-test files of one directory and language family with their text, the habit's
    evidence; at most a few hundred, so one huge directory cannot make a review slow."""
    found = 0
    for path in graph.paths_in(directory):  # loads this directory's files, not the repository's
        if is_test_path(path):
            continue  # tests read through whatever their fixture set up: no habit
        tags = graph.tags_of(path)
        if tags is None or family(tags.language) != fam:
            continue
        found += 1
        if found > _MAX_FILES:
            return
        text = source(path)
        if text is not None:
            yield path, tags, text


def owners_of(definitions: tuple[Definition, ...] | list[Definition]) -> dict[int, str]:
    """Line -> qualified name of the innermost callable definition holding it."""
    owners: dict[int, str] = {}
    for d in sorted(
        (d for d in definitions if d.callable),
        key=lambda d: d.end_line - d.start_line,
        reverse=True,
    ):
        for line in range(d.start_line, d.end_line + 1):
            owners[line] = d.qualified_name
    return owners


def field_findings(
    unit: ChangeUnit, lines: list[str], facts: FieldFacts, definition: Definition | None
) -> list[Finding]:
    """Findings for the unit's added lines that read through a field its neighbours test for null."""
    assert unit.new_span is not None and unit.language is not None
    added = frozenset(unit.changed_new_lines)
    first, last = unit.new_span.start_line, min(unit.new_span.end_line, len(lines))
    roots = _roots(unit, lines, definition)
    out: list[Finding] = []
    reported: set[str] = set()
    for number in sorted(added):
        if number > last or g.COMMENT_LINE.match(lines[number - 1]):
            continue
        for root, name, shown in _reads(lines[number - 1]):
            if name in reported or root not in roots:
                continue
            if _tested_before(name, lines, first, number) or _read_unchanged(
                name, lines, first, last, added
            ):
                continue
            counts = facts.counts(unit.path, unit.language)
            guarded = [
                x
                for x in counts.guarded.get(name, ())
                if not (x[0] == unit.path and x[2] == unit.name)
            ]
            unguarded = {x for x in counts.unguarded.get(name, ()) if x != (unit.path, unit.name)}
            if len(guarded) < _MIN_GUARDED or len(guarded) <= len(unguarded):
                continue
            reported.add(name)
            out.append(_finding(unit, number, shown, name, guarded))
    return out


def _reads(line: str) -> Iterator[tuple[str, str, str]]:
    """(root, field, text) of each ``root....F.x`` read on the line."""
    if "?." in line or "?->" in line or "&." in line:
        return  # optional chaining: the line handles null itself
    for match in _CHAIN.finditer(line):
        root, chain = match[1], re.sub(r"\s+", "", match[2])
        members = re.findall(r"(?:\.|->)([A-Za-z_]\w*)", chain)
        for member in members[:-1]:  # each member the line reads through
            yield root, member, root + _prefix(chain, member)


def _prefix(chain: str, member: str) -> str:
    """The chain up to and including ``member`` (``.cfg.tls`` of ``.cfg.tls.ServerName``)."""
    found = re.search(rf"(?:\.|->){re.escape(member)}(?![\w$])", chain)
    return chain[: found.end()] if found else chain


def _roots(unit: ChangeUnit, lines: list[str], definition: Definition | None) -> set[str]:
    """Names the unit owns: self/this, its parameters, its Go receiver, locals it assigns."""
    roots = set(_OWN_ROOTS)
    if definition is not None:
        roots |= {p.lstrip("*&") for p in definition.params}
        roots |= (
            {"$" + p.lstrip("$") for p in definition.params} if unit.language == "php" else set()
        )
        if definition.receiver:
            roots.add(definition.receiver)
    assert unit.new_span is not None
    body = "\n".join(lines[unit.new_span.start_line - 1 : unit.new_span.end_line])
    roots |= set(re.findall(r"([$@]?[A-Za-z_]\w*)\s{0,2}(?::=|=(?![=>~]))", body))
    return roots


def _tested_before(name: str, lines: list[str], first: int, line: int) -> bool:
    """A null test of the field (or a truthiness test, an optional chain, a null word beside
    it) on a line of the unit up to the read; a condition that only reads through it
    (``if x.F.Name == ""``) is no test of ``F``."""
    n = re.escape(name)
    truthy = re.compile(
        rf"(?:!|\bnot\s|\bif\s{{0,3}}\(?|\bunless\s|&&|\|\||\band\s|\bor\s)\s{{0,3}}"
        rf"[$@]?[\w.>\-]{{0,80}}?{_MEMBER}{n}\s{{0,3}}(?:\)|&&|\|\||:|;|\{{|\band\b|\bor\b|\bthen\b|$)"
        rf"|{_MEMBER}{n}\s{{0,2}}(?:\?\.|\?->|&\.|\?\?)"
    )
    mention = re.compile(rf"(?<![\w$]){n}(?![\w$])")
    for text in lines[first - 1 : line]:
        if g.COMMENT_LINE.match(text) or not mention.search(text):
            continue
        if any(name in m.groups() for m in _NULL_TEST.finditer(text)) or truthy.search(text):
            return True
        if g.NULL_TEST_WORDS.search(text) and not _NULL_TEST.search(text):
            return True  # `isset($x->F)`, `assert x.F`, a null word beside it
    return False


def _read_unchanged(
    name: str, lines: list[str], first: int, last: int, added: frozenset[int]
) -> bool:
    """An unchanged line of the unit already reads through the field (the unit assumes it is set)."""
    return any(
        m[1] == name
        for number in range(first, last + 1)
        if number not in added
        for m in _READ_THROUGH.finditer(lines[number - 1])
    )


def _finding(
    unit: ChangeUnit, line: int, shown: str, name: str, guarded: list[tuple[str, int, str]]
) -> Finding:
    functions = len({(p, f) for p, _, f in guarded})
    listed = ", ".join(f"{p}:{n}" for p, n, _ in guarded[:_MAX_LISTED])
    null = _NULL_WORD.get(unit.language or "", "null")
    message = (
        f"`{shown}` may be {null} here: {functions} other functions beside this one test "
        f"`{name}` against {null} before reading it ({listed}); this line reads through it "
        f"without a check."
    )
    related = tuple(
        Location(p, Span.lines(n, n), f"{f or 'top level'} tests {name} for {null}")
        for p, n, f in guarded[:_MAX_LISTED]
    )
    return Finding(
        path=unit.path,
        span=Span.lines(line, line),
        severity=Severity.WARNING,
        rule=_RULE,
        message=message,
        category="correctness",
        source="callgraph",
        related=related,
        confidence=_CONFIDENCE,
        unit=unit.name,
        code=unit.signature,
    )
