"""Map the changed lines of one file to change units: the definitions they lie in.

Each changed line (an added line in the new version, a removed line in the old one) belongs
to its innermost enclosing function or method; a line in a container but outside its
methods belongs to the container (kind ``class``); a line outside every definition belongs
to ``<module>``. Old and new definitions are the same unit when kind and qualified name agree
(see :mod:`tactful.analyzers.definitions` for the naming scheme), so an edit, a pure deletion
inside a function, an added and a deleted function each give one unit.

Each version is parsed once and queried once. Without syntax the units are the hunks:

* the language is unknown (``language`` None or unsupported);
* the tree of the new version (the old one for a deleted file) is useless: its root is an
  ERROR node, or more than half of the changed lines lie inside ERROR or MISSING nodes.
  Smaller parse errors are left to tree-sitter's error recovery, which keeps the
  definitions around them intact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import tree_sitter as ts
from tactful.analyzers.definitions import (
    Definition,
    definitions,
    definitions_in_tree,
    enclosing_definition,
    innermost_index,
)
from tactful.analyzers.languages import SPECS, error_nodes, parse_cached, parse_edited
from tactful.analyzers.linemap import LineMap, line_maps
from tactful.analyzers.model import ChangeUnit, FileChange, Span
from tactful.analyzers.pairing import Pairing
from tactful.analyzers.text import line_offsets, line_range_text

__all__ = [
    "Definition",
    "UnitMapping",
    "change_units",
    "definitions",
    "definitions_in_tree",
    "enclosing_definition",
    "hunk_units",
]

MODULE = "<module>"
MODULE_CONTEXT = 2
"""Unchanged lines shown around changed top-level lines in a ``<module>`` unit's source."""
ERROR_SHARE_LIMIT = 0.5
"""Fall back to hunks when more than this share of the changed lines lie in parse errors."""


@dataclass(frozen=True)
class UnitMapping:
    """The change units of one file and whether syntax produced them."""

    units: tuple[ChangeUnit, ...]
    syntax: bool
    """False: the units are hunks (see :attr:`reason`)."""
    reason: str = ""
    """Why there is no syntax: ``unknown language``, ``parse errors in new version (...)``."""
    new_tree: ts.Tree | None = field(default=None, compare=False, repr=False)
    """The parsed new version, when there is one, so later stages need not parse it again."""
    old_tree: ts.Tree | None = field(default=None, compare=False, repr=False)
    """The parsed old version, likewise."""


@dataclass
class _Version:
    """One parsed version of the file and the definitions around the lines of interest."""

    language: str
    text: str
    data: bytes
    tree: ts.Tree
    rows: tuple[int, int] | None = None
    """Lines (first, last) the definitions were looked for in; None: nothing loaded yet."""
    defs: tuple[Definition, ...] = ()
    starts: list[int] = field(default_factory=list)

    @classmethod
    def parse(cls, language: str, text: str, base: _Version | None = None) -> _Version:
        """Parse ``text``; incrementally from ``base`` (the other version) when given."""
        data = text.encode("utf-8")
        tree = (
            parse_cached(language, data)
            if base is None
            else parse_edited(language, base.tree, base.data, data)
        )
        return cls(language, text, data, tree)

    def load(self, lines: Iterable[int]) -> bool:
        """Find the definitions overlapping ``lines`` as well; False when nothing changes.

        One query limited to the lines' range (plus what was loaded before) finds every
        definition enclosing them without visiting the rest of the tree.
        """
        wanted = sorted(lines)
        if not wanted:
            return False
        first, last = wanted[0], wanted[-1]
        if self.rows is not None:
            if self.rows[0] <= first and last <= self.rows[1]:
                return False
            first, last = min(first, self.rows[0]), max(last, self.rows[1])
        self.rows = (first, last)
        self.defs = definitions_in_tree(self.language, self.tree, self.data, self.rows)
        self.starts = [d.span.start_line for d in self.defs]
        return True

    def source(self, definition: Definition) -> str:
        """The definition's whole lines (indentation of the first line included)."""
        begin = self.data.rfind(b"\n", 0, definition.start_byte) + 1
        end = self.data.find(b"\n", definition.end_byte)
        return self.data[begin : len(self.data) if end == -1 else end].decode("utf-8", "replace")


@dataclass
class _Unit:
    """A unit being assembled: the matched definitions and the lines changed in them."""

    kind: str
    name: str
    new_def: Definition | None = None
    old_def: Definition | None = None
    new_lines: list[int] = field(default_factory=list)
    old_lines: list[int] = field(default_factory=list)


def change_units(
    file: FileChange, old_text: str | None, new_text: str | None, language: str | None
) -> UnitMapping:
    """The change units of ``file`` given both versions (None where a side does not exist)."""
    if language is None or language not in SPECS:
        return UnitMapping(
            hunk_units(file, old_text, new_text, language), False, "unknown language"
        )
    if new_text is None and old_text is None:
        return UnitMapping(
            hunk_units(file, None, None, language), False, "no text for either version"
        )
    # The old version is usually a revision reviewed again and again (cached); the new one
    # differs from it by the change alone, so it is parsed incrementally from the old tree.
    old = _Version.parse(language, old_text) if old_text is not None else None
    new = _Version.parse(language, new_text, old) if new_text is not None else None
    added = sorted(set(file.added_lines)) if new is not None else []
    removed = sorted(set(file.removed_lines)) if old is not None else []
    to_new, to_old = line_maps(file.hunks)
    # Each side looks at its changed lines and where the other side's changes land in it,
    # which is inside the counterpart of a changed definition in nearly every case.
    if new is not None:
        new.load([*added, *(to_new(line) for line in removed)])
        problem = _parse_problem(new, added or sorted({to_new(line) for line in removed}), "new")
    else:
        assert old is not None
        old.load(removed)
        problem = _parse_problem(old, removed, "old")
    new_tree = new.tree if new is not None else None
    old_tree = old.tree if old is not None else None
    if problem:
        return UnitMapping(
            hunk_units(file, old_text, new_text, language), False, problem, new_tree, old_tree
        )
    if old is not None:
        old.load([*removed, *(to_old(line) for line in added)])

    units, unpaired_new, unpaired_old = _assign(old, new, added, removed)
    # A definition with no counterpart yet may have one just outside the range looked at
    # (a deletion at the very end of a function): look where its span lands, once.
    widened = False
    if old is not None:
        widened |= old.load(
            to_old(line) for d in unpaired_new for line in (d.span.start_line, d.span.end_line)
        )
    if new is not None:
        widened |= new.load(
            to_new(line) for d in unpaired_old for line in (d.span.start_line, d.span.end_line)
        )
    if widened:
        units, _, _ = _assign(old, new, added, removed)

    built = [_build(unit, file.path, language, old, new, to_new, to_old) for unit in units.values()]
    built.sort(key=lambda pair: pair[0])
    return UnitMapping(tuple(unit for _, unit in built), True, new_tree=new_tree, old_tree=old_tree)


def _assign(
    old: _Version | None, new: _Version | None, added: list[int], removed: list[int]
) -> tuple[dict[tuple[str, str, int, int], _Unit], list[Definition], list[Definition]]:
    """Units for the changed lines, and the definitions among them left without a counterpart."""
    pairs = Pairing(old.defs if old else (), new.defs if new else ())
    units: dict[tuple[str, str, int, int], _Unit] = {}
    if new is not None:
        for line in added:
            index = innermost_index(new.defs, new.starts, line)
            _unit_for(units, pairs, new_index=index).new_lines.append(line)
    if old is not None:
        for line in removed:
            index = innermost_index(old.defs, old.starts, line)
            _unit_for(units, pairs, old_index=index).old_lines.append(line)
    unpaired_new = [
        u.new_def for u in units.values() if u.new_def is not None and u.old_def is None
    ]
    unpaired_old = [
        u.old_def for u in units.values() if u.old_def is not None and u.new_def is None
    ]
    return units, unpaired_new, unpaired_old


def hunk_units(
    file: FileChange, old_text: str | None, new_text: str | None, language: str | None
) -> tuple[ChangeUnit, ...]:
    """One ``hunk`` unit per hunk, named by its ``@@ -a,b +c,d @@`` range."""
    new_starts = line_offsets(new_text) if new_text is not None else None
    old_starts = line_offsets(old_text) if old_text is not None else None
    units = []
    for hunk in file.hunks:
        new_last = hunk.new_start + hunk.new_count - 1
        old_last = hunk.old_start + hunk.old_count - 1
        if new_text is not None and new_starts is not None:
            new_source = line_range_text(new_text, hunk.new_start, new_last, new_starts)
        else:
            new_source = "\n".join(line[1:] for line in hunk.lines if line[:1] in (" ", "+"))
        if old_text is not None and old_starts is not None:
            old_source = line_range_text(old_text, hunk.old_start, old_last, old_starts)
        else:
            old_source = "\n".join(line[1:] for line in hunk.lines if line[:1] in (" ", "-"))
        units.append(
            ChangeUnit(
                path=file.path,
                language=language,
                kind="hunk",
                name=f"@@ -{hunk.old_start},{hunk.old_count} +{hunk.new_start},{hunk.new_count} @@",
                old_span=Span.lines(hunk.old_start, old_last) if hunk.old_count else None,
                new_span=Span.lines(hunk.new_start, new_last) if hunk.new_count else None,
                old_source=old_source,
                new_source=new_source,
                changed_new_lines=tuple(sorted(hunk.added)),
                changed_old_lines=tuple(sorted(hunk.removed)),
                signature=hunk.header.strip(),
            )
        )
    return tuple(units)


def _unit_for(
    units: dict[tuple[str, str, int, int], _Unit],
    pairs: Pairing,
    new_index: int | None = None,
    old_index: int | None = None,
) -> _Unit:
    if new_index is None and old_index is None:
        key = ("module", MODULE, -1, -1)
    else:
        if new_index is not None:
            old_index = pairs.of_new(new_index)
        elif old_index is not None:
            new_index = pairs.of_old(old_index)
        definition = pairs.new[new_index] if new_index is not None else pairs.old[old_index or 0]
        key = (
            definition.kind,
            definition.qualified_name,
            -2 if new_index is None else new_index,
            -2 if old_index is None else old_index,
        )
    unit = units.get(key)
    if unit is None:
        unit = units[key] = _Unit(key[0], key[1])
        unit.new_def = pairs.new[new_index] if new_index is not None else None
        unit.old_def = pairs.old[old_index] if old_index is not None else None
    return unit


def _build(
    unit: _Unit,
    path: str,
    language: str,
    old: _Version | None,
    new: _Version | None,
    to_new: LineMap,
    to_old: LineMap,
) -> tuple[tuple[int, int, int, str], ChangeUnit]:
    new_lines = tuple(unit.new_lines)
    old_lines = tuple(unit.old_lines)
    if unit.name == MODULE:
        new_span, new_source = _module_part(new, new_lines, [to_new(line) for line in old_lines])
        old_span, old_source = _module_part(old, old_lines, [to_old(line) for line in new_lines])
        signature = ""
    else:
        new_span = unit.new_def.span if unit.new_def else None
        old_span = unit.old_def.span if unit.old_def else None
        new_source = new.source(unit.new_def) if new and unit.new_def else ""
        old_source = old.source(unit.old_def) if old and unit.old_def else ""
        either = unit.new_def or unit.old_def
        signature = either.signature if either else ""
    first_new = new_lines[0] if new_lines else to_new(old_lines[0])
    first_old = old_lines[0] if old_lines else to_old(new_lines[0])
    change = ChangeUnit(
        path=path,
        language=language,
        kind=unit.kind,
        name=unit.name,
        old_span=old_span,
        new_span=new_span,
        old_source=old_source,
        new_source=new_source,
        changed_new_lines=new_lines,
        changed_old_lines=old_lines,
        signature=signature,
    )
    return (first_new, 0 if new_lines else 1, first_old, unit.name), change


def _module_part(
    version: _Version | None, changed: tuple[int, ...], anchors: list[int]
) -> tuple[Span | None, str]:
    """Span and text of the changed top-level lines (and where deletions were) with context."""
    if version is None:
        return None, ""
    starts = line_offsets(version.text)
    last_line = len(starts)
    windows: list[list[int]] = []
    for line in sorted(set(changed).union(anchors)):
        first, last = max(1, line - MODULE_CONTEXT), min(last_line, line + MODULE_CONTEXT)
        if windows and first <= windows[-1][1] + 1:
            windows[-1][1] = max(windows[-1][1], last)
        else:
            windows.append([first, last])
    if not windows:
        return None, ""
    pieces = [line_range_text(version.text, first, last, starts) for first, last in windows]
    return Span.lines(windows[0][0], windows[-1][1]), "\n...\n".join(pieces)


def _parse_problem(version: _Version, lines: list[int], side: str) -> str:
    """Why ``version``'s tree is not good enough for units around ``lines``, or "" when it is.

    A changed line is broken when it lies inside an ERROR or MISSING node and no definition
    recognised around it explains it: it is outside every definition, or its innermost
    definition is a container holding the error (a method whose header failed to parse).
    A line in a definition found inside the error, or in a function whose body holds it, is fine.
    """
    root = version.tree.root_node
    if not root.has_error or not lines:
        return ""
    errors = [
        (node.start_byte, node.end_byte, node.start_point.row + 1, node.end_point.row + 1)
        for node in error_nodes(version.tree)
    ]
    broken = 0
    for line in lines:
        around = [(start, end) for start, end, first, last in errors if first <= line <= last]
        if not around:
            continue
        index = innermost_index(version.defs, version.starts, line)
        if index is None:
            broken += 1
            continue
        definition = version.defs[index]
        if definition.kind == "class" and any(
            definition.start_byte <= start and end <= definition.end_byte for start, end in around
        ):
            broken += 1
    if broken > ERROR_SHARE_LIMIT * len(lines):
        return (
            f"parse errors in {side} version ({len(errors)} error nodes,"
            f" {broken} of {len(lines)} changed lines inside them)"
        )
    return ""
