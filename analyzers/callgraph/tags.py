"""Per-file tags: the definitions, call sites and imports of one source file.

One tree-sitter query per language (``queries/<language>.scm``, compiled once per process)
marks definitions (``@definition.<kind>`` with ``@name.definition.<kind>``), call sites
(``@reference.call`` / ``@reference.new`` with ``@name.reference.*`` and ``@args``), scopes
that only qualify names (``@scope``: C++ namespaces, Rust ``impl`` blocks) and imports
(``@import`` with ``@import.module`` / ``.name`` / ``.alias`` / ``.namespace`` /
``.wildcard``); ``tag_records`` nests what the query found into records. Everything here is pure: text in, frozen records out. Trees with parse
errors still yield every tag the query can find; the error count is reported.
"""

from __future__ import annotations

import re
from functools import cache

import tree_sitter as ts
from tactful.analyzers.callgraph.imports import language_imports
from tactful.analyzers.callgraph.tag_records import TagRecords
from tactful.analyzers.callgraph.tagtypes import (
    CLASS_KINDS,
    MODULE,
    Definition,
    FileTags,
    Reference,
)
from tactful.analyzers.languages import count_error_nodes, load_query, parse

__all__ = [
    "CLASS_KINDS",
    "MODULE",
    "QUERY_PACKAGE",
    "Definition",
    "FileTags",
    "Reference",
    "extract_tags",
    "extract_tags_in_rows",
    "tags_query",
]

QUERY_PACKAGE = "tactful.analyzers.callgraph.queries"


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


class _Extractor(TagRecords):
    """Turns query matches into tags; one instance per file."""

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


def _go_receiver(text: str) -> tuple[str, str]:
    """(variable, type) of a Go receiver list such as ``(s *Server[T])``."""
    words = text.strip("()").split("[", 1)[0].replace("*", " ").split()
    if len(words) >= 2:
        return words[0], words[-1]
    return "", words[0] if words else ""
