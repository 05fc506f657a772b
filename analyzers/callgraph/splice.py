"""Incremental tags for an edited buffer: splice a re-extracted window into the old tags.

An editor changes one region of a file at a time, usually inside one function body. Only
the tags on a window of lines around it can change: the edited lines, the lines whose syntax
tree-sitter reports as changed (an opened comment or string reaches further), grown over
every record cutting into them. Tags before the window stay as they are, those after it move
by the edit's line delta, and the window's own tags are re-extracted from the new tree;
the outcome equals a full :func:`extract_tags` of the new text. Whenever that cannot be
shown cheaply (an import or package in the window, a changed error count, an enclosing
definition that changed) ``splice_tags`` returns None and the caller extracts the file.
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypeVar

import tree_sitter as ts
from tactful.analyzers.callgraph.tags import Definition, FileTags, Reference, extract_tags_in_rows
from tactful.analyzers.languages import count_error_nodes, edited_bytes, edited_tree, parse_cached

_Record = TypeVar("_Record", Definition, Reference)


class _Edit(NamedTuple):
    """1-based lines of the changed region: ``first..last_old`` became ``first..last_old+delta``."""

    first: int
    last_old: int
    delta: int

    def line(self, line: int) -> int | None:
        """Where an old line outside the edit went; None for a line the edit touched."""
        if line < self.first:
            return line
        return line + self.delta if line > self.last_old else None


def splice_tags(old: FileTags, old_text: str, new_text: str, new_tree: ts.Tree) -> FileTags | None:
    """The tags of ``new_text`` (parsed as ``new_tree``) from ``old``, the tags of ``old_text``.

    None when splicing is not known to be exact; then run a full ``extract_tags``.
    """
    old_data, new_data = old_text.encode("utf-8"), new_text.encode("utf-8")
    if old_data == new_data:
        return old
    start, old_end, new_end = edited_bytes(old_data, new_data)
    first = old_data.count(b"\n", 0, start) + 1
    last_old = first + old_data.count(b"\n", start, old_end)
    edit = _Edit(first, last_old, new_data.count(b"\n", start, new_end) - (last_old - first))
    errors = count_error_nodes(new_tree)
    if errors != old.error_count:
        return None
    old_tree, changed = _reparse_old(old.language, old_data, new_data, new_tree)
    top, bottom = _window(old, first, last_old, changed)
    new_bottom = bottom + edit.delta
    fresh = extract_tags_in_rows(
        old.language, old.path, new_data, new_tree, top - 1, new_bottom - 1, errors
    )
    # Imports and packages carry no positions: the window must hold none, before or after.
    was = extract_tags_in_rows(old.language, old.path, old_data, old_tree, top - 1, bottom - 1)
    if (
        fresh.imports
        or was.imports
        or fresh.package != was.package
        or fresh.package not in ("", old.package)
    ):
        return None
    # The definitions around the edit must come out as before, only longer or shorter.
    enclosing = [
        _loose(_shift_end(d, edit.delta), last_old + edit.delta)
        for d in old.definitions
        if d.start_line < first and d.end_line >= last_old
    ]
    if enclosing != [
        _loose(d, last_old + edit.delta)
        for d in fresh.definitions
        if d.start_line < first and d.end_line >= last_old + edit.delta
    ]:
        return None
    definitions = [
        *(d for d in old.definitions if d.end_line < top),
        *(d for d in fresh.definitions if d.end_line >= top and d.start_line <= new_bottom),
        *(_shift(d, edit.delta) for d in old.definitions if d.start_line > bottom),
    ]
    references = _splice_references(old.references, fresh.references, edit, top, bottom)
    if references is None:
        return None
    return FileTags(
        old.path,
        old.language,
        tuple(sorted(definitions, key=_position)),
        tuple(sorted(references, key=_position)),
        old.imports,
        old.package,
        errors,
    )


def _reparse_old(
    language: str, old_data: bytes, new_data: bytes, new_tree: ts.Tree
) -> tuple[ts.Tree, tuple[int, int]]:
    """The old text's tree, and the old lines (1-based) whose syntax differs in the new one.

    An edit can change the parse of text beyond it (an opened comment or string). The new
    tree was parsed incrementally from the old one (cached by content, so getting it again
    is free); tree-sitter compares the two and reports the rows that changed, in new-text
    coordinates, which are mapped back onto the old text.
    """
    old_tree = parse_cached(language, old_data)
    ranges = edited_tree(old_tree, old_data, new_data).changed_ranges(new_tree)
    if not ranges:
        return old_tree, (0, 0)
    start, old_end, new_end = edited_bytes(old_data, new_data)
    first = old_data.count(b"\n", 0, start) + 1
    last_old = first + old_data.count(b"\n", start, old_end)
    last_new = first + new_data.count(b"\n", start, new_end)

    def to_old(line: int) -> int:
        if line < first:
            return line
        if line > last_new:
            return line - (last_new - last_old)
        return min(line, last_old)

    top = min(to_old(r.start_point.row + 1) for r in ranges)
    bottom = max(to_old(r.end_point.row + 1) for r in ranges)
    return old_tree, (top, bottom)


def _window(old: FileTags, first: int, last_old: int, changed: tuple[int, int]) -> tuple[int, int]:
    """Old lines to re-extract: the edited and changed ones, grown over every record they cut into.

    Definitions around the whole edit are kept (re-extracted and compared), and so are calls
    around one of them (the edit is then inside one argument, so the arity stands); any
    other record reaching into the window joins it, with everything inside it.
    """
    inner = [d for d in old.definitions if d.start_line < first and d.end_line > last_old]

    def around(r: Definition | Reference) -> bool:
        if isinstance(r, Definition):
            return r.start_line < first and r.end_line >= last_old
        return (
            r.start_line < first
            and r.end_line > last_old
            and any(
                (r.start_line, r.start_col) <= (d.start_line, d.start_col)
                and (d.end_line, d.end_col) <= (r.end_line, r.end_col)
                for d in inner
            )
        )

    top, bottom = min(first, changed[0] or first), max(last_old, changed[1])
    records: tuple[Definition | Reference, ...] = (*old.definitions, *old.references)
    grown = True
    while grown:
        grown = False
        for r in records:
            if (
                r.end_line >= top
                and r.start_line <= bottom
                and (r.start_line < top or r.end_line > bottom)
                and not around(r)
            ):
                top, bottom, grown = min(top, r.start_line), max(bottom, r.end_line), True
    return top, bottom


def _splice_references(
    old: tuple[Reference, ...], fresh: tuple[Reference, ...], edit: _Edit, top: int, bottom: int
) -> list[Reference] | None:
    new_bottom = bottom + edit.delta
    spliced = [r for r in old if r.end_line < top]
    spliced.extend(r for r in fresh if r.start_line >= top and r.end_line <= new_bottom)
    spliced.extend(_shift(r, edit.delta) for r in old if r.start_line > bottom)
    # Calls reaching past the window (around it, or starting on its edge lines): the window's
    # query misses their argument facts outside it, which the edit cannot have changed.
    outer_old = [
        r
        for r in old
        if r.end_line >= top
        and r.start_line <= bottom
        and (r.start_line < top or r.end_line > bottom)
    ]
    outer_new = [
        r
        for r in fresh
        if r.end_line >= top
        and r.start_line <= new_bottom
        and (r.start_line < top or r.end_line > new_bottom)
    ]
    if len(outer_old) != len(outer_new):
        return None
    for was, now in zip(outer_old, outer_new, strict=True):
        lines = (edit.line(was.start_line), edit.line(was.end_line))
        if lines != (now.start_line, now.end_line) or (
            was.name,
            was.kind,
            was.caller,
            was.start_col,
        ) != (now.name, now.kind, now.caller, now.start_col):
            return None
        spliced.append(now._replace(arity=was.arity, keywords=was.keywords))
    return spliced


def _shift(record: _Record, delta: int) -> _Record:
    # Thousands per edit: build the tuple directly (``_replace`` is several times slower).
    at = 5 if isinstance(record, Definition) else 3  # start_line; end_line is two further
    values: list[Any] = list(record)
    values[at] += delta
    values[at + 2] += delta
    return type(record)._make(values)


def _shift_end(record: Definition, delta: int) -> Definition:
    return record._replace(end_line=record.end_line + delta)


def _loose(record: Definition, edited_line: int) -> Definition:
    """A definition ending on the edit's last line may end at another column there."""
    return record._replace(end_col=-1) if record.end_line == edited_line else record


def _position(record: Definition | Reference) -> tuple[int, int, int, int]:
    # A full extraction orders records by start, then longest first.
    return (record.start_line, record.start_col, -record.end_line, -record.end_col)
