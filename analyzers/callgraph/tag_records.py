"""Records from the tag query's raw captures: definitions qualified by their nesting, calls
given their caller, with code-point columns, signatures and snippets.

``TagRecords`` holds what one file's extraction collects (``tags._Extractor`` fills it from
the query matches) and turns it into :class:`Definition` and :class:`Reference` records.
"""

from __future__ import annotations

import re

import tree_sitter as ts
from tactful.analyzers.callgraph.imports import Import
from tactful.analyzers.callgraph.params import parameter_info
from tactful.analyzers.callgraph.tagtypes import CLASS_KINDS, MODULE, Definition, Reference

_SNIPPET_CHARS = 160
_SIGNATURE_CHARS = 240
_TYPE_NAME = re.compile(r"[A-Za-z_$][\w$]*")
_new_tuple = tuple.__new__


class TagRecords:
    """One file's collected captures and the records made from them."""

    def __init__(self, language: str, path: str, data: bytes) -> None:
        self.language = language
        self.path = path
        self.data = data
        self.ascii = data.isascii()
        self.lines = data.split(b"\n")
        self.containers: list[
            tuple[int, int, int, str, str, tuple[str, ...], ts.Node | None, ts.Node, str]
        ] = []
        self.calls: list[tuple[int, int, str, ts.Node, ts.Node, ts.Node | None, str]] = []
        self.imports: list[Import] = []
        self.package = ""
        # Argument-list facts found by the query, keyed by the list's start byte.
        self.splats: set[int] = set()
        self.skips: dict[int, int] = {}
        self.keywords: dict[int, list[str]] = {}
        self.snippets: dict[int, str] = {}

    # -- nesting and records -------------------------------------------------------------

    def _nest(self) -> tuple[tuple[Definition, ...], tuple[Reference, ...]]:
        """Qualify definitions by their enclosing ones and give each call its caller."""
        items: list[tuple[int, int, int, int]] = [
            (c[0], c[1], 0, i) for i, c in enumerate(self.containers)
        ]
        items.extend((c[0], c[1], 1, i) for i, c in enumerate(self.calls))
        items.sort()
        # stack entries: (end_byte, qualified parts, kind, qualified name of the innermost definition)
        stack: list[tuple[int, tuple[str, ...], str, str]] = []
        definitions: list[Definition] = []
        references: list[Reference] = []
        for start, neg_end, what, index in items:
            while stack and stack[-1][0] <= start:
                stack.pop()
            if what == 0:
                _s, _e, _i, kind, name, prefix, params, node, receiver_var = self.containers[index]
                outer = stack[-1][1] if stack else ()
                if kind == "namespace":
                    parts = outer
                elif self.language == "go" and prefix:
                    parts = (*prefix, name)
                else:
                    parts = (*outer, *prefix, name)
                in_class = bool(stack) and stack[-1][2] in CLASS_KINDS
                if kind == "function" and (in_class or (prefix and self.language in ("cpp", "go"))):
                    kind = "method"
                if kind in ("namespace", "impl", "mod"):
                    stack.append((-neg_end, parts, kind, stack[-1][3] if stack else MODULE))
                else:
                    qname = ".".join(parts)
                    stack.append((-neg_end, parts, kind, qname))
                    definitions.append(
                        self._definition(kind, name, qname, node, params, receiver_var)
                    )
            else:
                references.append(
                    self._reference(self.calls[index], stack[-1][3] if stack else MODULE)
                )
        return tuple(definitions), tuple(references)

    def _definition(
        self,
        kind: str,
        name: str,
        qname: str,
        node: ts.Node,
        params: ts.Node | None,
        receiver_var: str,
    ) -> Definition:
        names: tuple[str, ...] = ()
        low, high = 0, 0
        if params is not None:
            names, low, high_or_none = parameter_info(self.language, params, kind)
            high = high_or_none if high_or_none is not None else -1
        return Definition(
            self.path,
            self.language,
            kind,
            name,
            qname,
            *self._points(node),
            self._signature(node),
            names,
            low,
            None if high < 0 else high,
            receiver_var,
        )

    def _reference(
        self, call: tuple[int, int, str, ts.Node, ts.Node, ts.Node | None, str], caller: str
    ) -> Reference:
        start, _e, kind, node, name_node, args, _ = call
        data = self.data
        name_start, name_end = name_node.byte_range
        receiver = ""
        if kind == "call" and name_start > start:
            receiver = data[start:name_start].decode("utf-8", "replace")
            head = receiver[:-1]
            if (
                receiver[-1] == "."
                and head[-1:] not in (".", "")
                and head.replace(".", "_").isidentifier()
            ):
                # `a.b.name`: nothing to strip or collapse (the general path gives the same)
                receiver = head[:80]
            else:
                receiver = receiver.rstrip().rstrip(".:->?&\\").rstrip()
                receiver = " ".join(receiver.split())[:80]
        arity: int | None = 0
        keywords: tuple[str, ...] = ()
        if args is not None:
            at = args.start_byte
            if at in self.splats:
                arity = None
            elif self.language == "python" and args.type == "generator_expression":
                arity = 1
            else:
                arity = args.named_child_count - self.skips.get(at, 0)
            if at in self.keywords:
                keywords = tuple(self.keywords[at])
        (row, c1), (r2, c2) = node.start_point, node.end_point
        if not self.ascii:
            c1, c2 = self._col(row, c1), self._col(r2, c2)
        snippet = self.snippets.get(row)
        if snippet is None:
            line = self.lines[row] if row < len(self.lines) else b""
            snippet = self.snippets[row] = line.decode("utf-8", "replace").strip()[:_SNIPPET_CHARS]
        # tuple.__new__ skips the named tuple's Python-level __new__ (every field is given).
        return _new_tuple(
            Reference,
            (
                self.path,
                data[name_start:name_end].decode("utf-8", "replace"),
                receiver,
                row + 1,
                c1,
                r2 + 1,
                c2,
                caller,
                arity,
                keywords,
                kind,
                snippet,
            ),
        )

    # -- text helpers -------------------------------------------------------------------

    def _text(self, node: ts.Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def _col(self, row: int, byte_col: int) -> int:
        if self.ascii or row >= len(self.lines):
            return byte_col
        return len(self.lines[row][:byte_col].decode("utf-8", "replace"))

    def _points(self, node: ts.Node) -> tuple[int, int, int, int]:
        """1-based lines and code-point columns of a node's start and end."""
        (r1, c1), (r2, c2) = node.start_point, node.end_point
        if self.ascii:
            return r1 + 1, c1, r2 + 1, c2
        return r1 + 1, self._col(r1, c1), r2 + 1, self._col(r2, c2)

    def _signature(self, node: ts.Node) -> str:
        body = node.child_by_field_name("body")
        end = (
            body.start_byte
            if body is not None and body.start_byte > node.start_byte
            else node.end_byte
        )
        head = self.data[node.start_byte : end].decode("utf-8", "replace")
        if body is None:
            head = head.split("\n", 1)[0]
        return " ".join(head.split()).rstrip("{ ").rstrip()[:_SIGNATURE_CHARS]

    def _type_name(self, raw: str) -> str:
        """``Foo`` from ``Foo<T>``, ``&mut Foo``, ``a::Foo``."""
        raw = raw.split("<", 1)[0].split("::")[-1]
        found = _TYPE_NAME.findall(raw)
        return found[-1] if found else raw.strip()
