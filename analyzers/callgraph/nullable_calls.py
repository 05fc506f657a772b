"""The fourth evidence of ``callgraph.unguarded-null``: a call whose result the project tests.

Some calls return null by contract from outside the project (``reflect.TypeOf`` of a nil
interface, ``getenv``, ``malloc``, ``Map.get``), so no definition says so; the project's own
habit does. When other functions of the same directory test the result of the same call
(``reflect.TypeOf(x) == nil``, or ``ty := reflect.TypeOf(x)`` then ``if ty == nil``) in at
least two functions and more often than they read through it untested, a changed line that
reads through that call's result untested is the odd one out.

The call is named by its receiver and name when the receiver is a plain name
(``reflect.TypeOf``, ``os.Getenv``, ``self.lookup``), else by its name alone. Pure: file
texts come through the engine's reader; counts are kept per directory and call.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from tactful.analyzers.callgraph.contracts import Source
from tactful.analyzers.callgraph.graph import CallGraph, family
from tactful.analyzers.callgraph.nullable_fields import directory_sources, owners_of
from tactful.analyzers.callgraph.tags import Reference

_MIN_GUARDED = 2
_MAX_FILES = 300
_NULLS = r"(?:nil|null|NULL|nullptr|undefined|None)"
_ARGS = r"\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)"
_PLAIN = re.compile(r"^[$@]?[A-Za-z_]\w{0,60}$")


@dataclass(frozen=True, slots=True)
class CallHabit:
    """How the directory's other functions treat one call's result."""

    key: str
    guarded: tuple[tuple[str, int], ...]
    """(path, line) of the first null test in each function that tests the result."""
    unguarded: int
    """Functions that read through the result with no test."""


def call_key(ref: Reference) -> str:
    """``reflect.TypeOf`` for a call on a plain receiver, else the bare name."""
    receiver = ref.receiver.strip()
    return f"{receiver}.{ref.name}" if _PLAIN.match(receiver) else ref.name


class CallFacts:
    """Null tests and reads of call results, per directory and call (computed on demand)."""

    def __init__(
        self, graph: CallGraph, source: Source, changed: frozenset[tuple[str, str]] = frozenset()
    ) -> None:
        self._graph, self._source, self._changed = graph, source, changed
        self._habits: dict[tuple[str, str, str], CallHabit] = {}
        self._bodies: dict[tuple[str, str], list[tuple[str, int, str]]] = {}

    def habit(self, path: str, language: str, key: str) -> CallHabit:
        directory = posixpath.dirname(path)
        memo = (directory, family(language), key)
        if memo not in self._habits:
            self._habits[memo] = self._count(directory, family(language), key)
        return self._habits[memo]

    def tested_often(self, path: str, language: str, key: str) -> CallHabit | None:
        habit = self.habit(path, language, key)
        if len(habit.guarded) >= _MIN_GUARDED and len(habit.guarded) > habit.unguarded:
            return habit
        return None

    def _functions(self, directory: str, fam: str) -> list[tuple[str, int, str]]:
        """(path, first line, text) of each unchanged function in the directory's files."""
        memo = (directory, fam)
        if memo in self._bodies:
            return self._bodies[memo]
        out: list[tuple[str, int, str]] = []
        for path, tags, text in directory_sources(self._graph, self._source, directory, fam):
            lines = text.splitlines()
            owners = owners_of(tags.definitions)
            spans: dict[str, tuple[int, int]] = {}
            for number in range(1, len(lines) + 1):
                owner = owners.get(number)
                if owner is None or (path, owner) in self._changed:
                    continue
                first, _ = spans.get(owner, (number, number))
                spans[owner] = (first, number)
            for first, last in spans.values():
                out.append((path, first, "\n".join(lines[first - 1 : last])))
        self._bodies[memo] = out
        return out

    def _count(self, directory: str, fam: str, key: str) -> CallHabit:
        call = (
            r"(?<![\w$.])" + r"\s{0,2}\.\s{0,2}".join(map(re.escape, key.split("."))) + r"\s{0,2}"
        )
        direct_test = re.compile(
            rf"{call}{_ARGS}\s{{0,2}}(?:===?|!==?)\s{{0,2}}{_NULLS}\b"
            rf"|\b{_NULLS}\s{{0,2}}(?:===?|!==?)\s{{0,2}}{call}{_ARGS}"
            rf"|{call}{_ARGS}\s{{1,2}}is\s(?:not\s)?None\b"
        )
        direct_read = re.compile(rf"{call}{_ARGS}\s{{0,2}}(?:\.(?![.?])|->)\s{{0,2}}[A-Za-z_]")
        assigned = re.compile(
            rf"([$@]?[A-Za-z_]\w*)\s{{0,2}}(?::=|=(?![=>]))\s{{0,2}}(?:\([^()]{{0,60}}\)\s{{0,2}})?{call}\("
        )
        guarded: list[tuple[str, int]] = []
        unguarded = 0
        for path, first, body in self._functions(directory, fam):
            if key.split(".")[-1] not in body:
                continue
            test = direct_test.search(body)
            names = {m[1] for m in assigned.finditer(body)}
            local_test = None
            for name in names:
                n = re.escape(name)
                local_test = local_test or re.search(
                    rf"(?<![\w$.]){n}\s{{0,2}}(?:===?|!==?)\s{{0,2}}{_NULLS}\b"
                    rf"|\b{_NULLS}\s{{0,2}}(?:===?|!==?)\s{{0,2}}{n}(?![\w$])"
                    rf"|(?<![\w$.]){n}\s{{1,2}}is\s(?:not\s)?None\b"
                    rf"|(?:!|\bnot\s)\s{{0,2}}{n}(?![\w$.(\[])",
                    body,
                )
            found = test or local_test
            if found is not None:
                guarded.append((path, first + body.count("\n", 0, found.start())))
                continue
            reads_local = any(
                re.search(
                    rf"(?<![\w$.]){re.escape(n)}\s{{0,2}}(?:\.(?![.?])|->)\s{{0,2}}[A-Za-z_]", body
                )
                for n in names
            )
            if direct_read.search(body) or reads_local:
                unguarded += 1
        return CallHabit(key, tuple(guarded), unguarded)
