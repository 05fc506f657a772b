"""Per-file tags: the definitions, call sites and imports of one source file.

One tree-sitter query per language (``queries/<language>.scm``, compiled once per process)
marks definitions (``@definition.<kind>`` with ``@name.definition.<kind>``), call sites
(``@reference.call`` / ``@reference.new`` with ``@name.reference.*`` and ``@args``), scopes
that only qualify names (``@scope``: C++ namespaces, Rust ``impl`` blocks) and imports
(``@import`` with ``@import.module`` / ``.name`` / ``.alias`` / ``.namespace`` /
``.wildcard``). Everything here is pure: text in, frozen records out. Trees with parse
errors still yield every tag the query can find; the error count is reported.
"""

from __future__ import annotations

import re
from functools import cache

import tree_sitter as ts
from tactful.analyzers.callgraph.imports import Import, language_imports
from tactful.analyzers.callgraph.params import parameter_info
from tactful.analyzers.callgraph.tagtypes import (
    CLASS_KINDS,
    MODULE,
    Definition,
    FileTags,
    Reference,
)
from tactful.analyzers.languages import count_error_nodes, load_query, parse

QUERY_PACKAGE = "tactful.analyzers.callgraph.queries"
_SNIPPET_CHARS = 160
_SIGNATURE_CHARS = 240
_TYPE_NAME = re.compile(r"[A-Za-z_$][\w$]*")
_new_tuple = tuple.__new__


def tags_query(language: str) -> ts.Query:
    return load_query(QUERY_PACKAGE, f"{language}.scm", language)


# Capture categories: which handler a match goes to, by the first capture naming one.
_CONTAINER, _CALL, _ARGUMENT, _IMPORT, _PACKAGE = range(5)
_CATEGORY_PREFIXES = (("definition.", _CONTAINER), ("reference.", _CALL), ("arg.", _ARGUMENT))
_CATEGORY_NAMES = {"scope": _CONTAINER, "import": _IMPORT, "package": _PACKAGE}


@cache
def _capture_categories(language: str) -> dict[str, int]:
    """Category of each capture name of the language's query (names with none left out)."""
    query = tags_query(language)
    categories: dict[str, int] = {}
    for key in map(query.capture_name, range(query.capture_count)):
        category = _CATEGORY_NAMES.get(
            key, next((c for p, c in _CATEGORY_PREFIXES if key.startswith(p)), None)
        )
        if category is not None:
            categories[key] = category
    return categories


def extract_tags(language: str, path: str, text: str, tree: ts.Tree | None = None) -> FileTags:
    """The tags of one file; never raises on malformed source.

    ``tree``, if given, must be ``text`` already parsed as ``language`` (saves a parse).
    """
    data = text.encode("utf-8")
    if tree is None:
        tree = parse(language, data)
    matches = ts.QueryCursor(tags_query(language)).matches(tree.root_node)
    return _Extractor(language, path, data).run(matches, count_error_nodes(tree))


def extract_tags_in_rows(
    language: str,
    path: str,
    data: bytes,
    tree: ts.Tree,
    first_row: int,
    last_row: int,
    errors: int = 0,
) -> FileTags:
    """Tags from the query matches that intersect rows ``first_row..last_row`` (0-based) only.

    Enclosing definitions intersect the rows too, so nesting and qualified names come out
    as in a full extraction; call sites reaching outside the rows may miss argument facts.
    """
    cursor = ts.QueryCursor(tags_query(language))
    cursor.set_point_range((first_row, 0), (last_row + 1, 0))
    return _Extractor(language, path, data).run(cursor.matches(tree.root_node), errors)


class _Extractor:
    """Turns query matches into tags; one instance per file."""

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

    def run(self, matches: list[tuple[int, dict[str, list[ts.Node]]]], errors: int) -> FileTags:
        seen: set[tuple[int, int, str]] = set()
        categories = _capture_categories(self.language)
        for _pattern, caps in matches:
            for key in caps:
                category = categories.get(key)
                if category is None:
                    continue
                if category == _CALL:
                    self._call(key, caps, seen)
                    break
                if category == _ARGUMENT:
                    self._argument(key, caps[key][0])
                    break
                if category == _CONTAINER:
                    self._container(key, caps, seen)
                    break
                if category == _IMPORT:
                    self._import(caps)
                    break
                if not self.package:  # _PACKAGE: the first one wins
                    self.package = self._text(caps[key][0])
                    break
        definitions, references = self._nest()
        return FileTags(
            self.path,
            self.language,
            definitions,
            references,
            tuple(self.imports),
            self.package,
            errors,
        )

    # -- collecting --------------------------------------------------------------------

    def _container(
        self, key: str, caps: dict[str, list[ts.Node]], seen: set[tuple[int, int, str]]
    ) -> None:
        node = caps[key][0]
        ident = (node.start_byte, node.end_byte, key)
        if ident in seen:
            return
        seen.add(ident)
        name_node = caps["name." + key][0]
        raw = self._text(name_node)
        if key == "scope":
            # Namespaces never qualify names (as in analyzers.definitions); impl and mod blocks do.
            kind = {"impl_item": "impl", "mod_item": "mod"}.get(node.type, "namespace")
            parts = tuple(self._type_name(p) for p in re.split(r"::|\.|\\", raw) if p)
            if not parts:
                return
            prefix, name = parts[:-1], parts[-1]
            if node.type == "namespace_declaration" and not self.package:
                self.package = raw
        else:
            kind = key[len("definition.") :]
            parts = (tuple(p for p in raw.split("::") if p) or (raw,)) if "::" in raw else (raw,)
            prefix, name = parts[:-1], parts[-1]
        receiver_var = ""
        receiver = caps.get("receiver")
        if receiver:  # Go method: the receiver's type qualifies the name
            receiver_var, type_name = _go_receiver(self._text(receiver[0]))
            prefix = (type_name,) if type_name else prefix
        params = caps.get("params")
        self.containers.append(
            (
                node.start_byte,
                -node.end_byte,
                len(self.containers),
                kind,
                name,
                prefix,
                params[0] if params else None,
                node,
                receiver_var,
            )
        )

    def _call(
        self, key: str, caps: dict[str, list[ts.Node]], seen: set[tuple[int, int, str]]
    ) -> None:
        node = caps[key][0]
        start, end = node.byte_range
        ident = (start, end, "call")
        if ident in seen:
            return
        seen.add(ident)
        args = caps.get("args")
        self.calls.append(
            (
                start,
                -end,
                key[len("reference.") :],
                node,
                caps["name." + key][0],
                args[0] if args else None,
                "",
            )
        )

    def _argument(self, key: str, node: ts.Node) -> None:
        holder = node.parent
        if key == "arg.keyword":
            holder = holder.parent if holder is not None else None
            if holder is not None:
                self.keywords.setdefault(holder.start_byte, []).append(self._text(node).lstrip("$"))
            return
        if holder is None:
            return
        if key == "arg.splat":
            self.splats.add(holder.start_byte)
        else:
            self.skips[holder.start_byte] = self.skips.get(holder.start_byte, 0) + 1

    def _import(self, caps: dict[str, list[ts.Node]]) -> None:
        module_nodes = caps.get("import.module")
        if not module_nodes:
            return
        module = self._text(module_nodes[0]).strip("\"'<>`")
        name = self._text(caps["import.name"][0]) if "import.name" in caps else ""
        alias = self._text(caps["import.alias"][0]) if "import.alias" in caps else ""
        if "import.namespace" in caps:
            alias = self._text(caps["import.namespace"][0])
        if "import.wildcard" in caps:
            name = "*"
        statement = caps["import"][0]
        self.imports.extend(
            language_imports(self.language, module, name, alias, self._text(statement))
        )

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


def _go_receiver(text: str) -> tuple[str, str]:
    """(variable, type) of a Go receiver list such as ``(s *Server[T])``."""
    words = text.strip("()").split("[", 1)[0].replace("*", " ").split()
    if len(words) >= 2:
        return words[0], words[-1]
    return "", words[0] if words else ""
