"""Resolve a call site to the definitions it may reach.

Resolution of one call site tries, in order: the receiver when its type is evident
(``self``/``this``, a Go method's receiver variable, ``Type.method``, ``new Foo().bar``),
a module the file imports (``mod.f()``, ``from m import f``), the same file (definitions
visible from the call), the same package directory (Go), then any definition of that name in
the same language family. Each edge carries a confidence: ``exact`` (same file or evident
receiver), ``imported`` (through an import) or ``name-only`` (global name match, at most
three candidates, nearest folder first). Guards against the usual false edges: a call through
an external module resolves to nothing; a bare name in Python, Go, Rust or an ES module never
reaches another file without an import; a method call on an unknown receiver reaches only
methods, and not at all for names of built-in string/list/map methods; interfaces and
nested functions are never global targets. Arity picks among overloads; a call whose arity
fits no candidate still resolves (the signature-change check looks for exactly those).
Resolution is lazy and memoised, so building the graph is only indexing, and a one-file
update costs little.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tactful.analyzers.callgraph.builtin_names import BUILTIN_METHODS
from tactful.analyzers.callgraph.graph_index import GraphIndex, Target
from tactful.analyzers.callgraph.tags import CLASS_KINDS, MODULE, Definition, FileTags, Reference

EXACT, IMPORTED, NAME_ONLY = "exact", "imported", "name-only"
CONFIDENCE_RANK = {EXACT: 0, IMPORTED: 1, NAME_ONLY: 2}
MAX_NAME_ONLY = 3
"""More global candidates than this and a call site counts as unresolved (too ambiguous)."""
_SELF = frozenset({"self", "this", "Self", "cls", "$this", "static", "parent"})
_FAMILY = {"typescript": "js", "tsx": "js", "javascript": "js", "c": "c", "cpp": "c"}
# Languages where a bare call inside a class reaches the class's own methods.
_IMPLICIT_THIS = frozenset({"java", "csharp", "cpp", "ruby", "php"})
# Languages where a bare name can only be defined in the file or imported into it (JavaScript
# and TypeScript too, when the file is a module: it has an import).
_MODULE_SCOPED = frozenset({"python", "go", "rust"})
_NEW_RECEIVER = re.compile(r"^new\s+([A-Za-z_$][\w$]*)")
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*$")


def family(language: str) -> str:
    return _FAMILY.get(language, language)


class Resolver(GraphIndex):
    """The resolution rules over the index (memoised per call site)."""

    def resolve(self, ref: Reference) -> tuple[Target, ...]:
        """The definitions a call site may reach, best first; empty when unresolved."""
        key = id(ref)
        found = self._memo.get(key)
        if found is None:
            self._need_definitions(ref.name)
            tags = self._files.get(ref.path)
            found = self._resolve(ref, tags) if tags is not None else ()
            if (
                ref.kind == "call" and len(found) > 1
            ):  # TypeScript: `interface X` beside `function X`
                found = tuple(sorted(found, key=lambda t: not t[0].callable))
            self._memo[key] = found
        return found

    def _resolve(self, ref: Reference, tags: FileTags) -> tuple[Target, ...]:
        if not self._by_name.get(ref.name) and ref.name not in self._bindings_of(tags):
            return ()
        fam = family(tags.language)
        if ref.kind == "new":
            return self._plain(ref, tags, fam, types_only=True)
        if ref.receiver:
            return self._with_receiver(ref, tags, fam)
        return self._plain(ref, tags, fam, types_only=False)

    def _plain(
        self, ref: Reference, tags: FileTags, fam: str, types_only: bool
    ) -> tuple[Target, ...]:
        def wanted(d: Definition) -> bool:
            if types_only:  # `new X()`: a class, never an interface
                return not d.callable and d.kind != "interface"
            if d.kind == "interface":  # an interface is never called
                return False
            return d.kind not in ("method", "constructor") or tags.language in _IMPLICIT_THIS

        local = [d for d in self._local(ref) if wanted(d)]
        # Only definitions visible from the call: top level, or nested in what encloses it.
        local = [d for d in local if _encloses(d, ref.caller)]
        if local:
            return _with(_fit(local, ref.arity), EXACT)
        imported = self._through_imports(ref.name, ref, tags, wanted)
        if imported is not None:
            return imported
        if tags.language == "go":
            neighbours = [p for p in self._modules.same_directory(ref.path) if p != ref.path]
            for p in neighbours:
                self._need_file(p)
            same_pkg = [
                d
                for p in neighbours
                for d in self._by_file_qname.get(p, {}).get(ref.name, ())
                if wanted(d)
            ]
            if same_pkg:
                return _with(_fit(same_pkg, ref.arity), EXACT)
        if tags.language in _MODULE_SCOPED or (fam == "js" and tags.imports):
            return ()  # a bare name there is local, imported or a builtin: never another file's
        return self._global(ref, fam, wanted)

    def _with_receiver(self, ref: Reference, tags: FileTags, fam: str) -> tuple[Target, ...]:
        receiver = ref.receiver
        owner = (
            self._receiver_class(ref, tags) if receiver in _SELF or tags.language == "go" else None
        )
        if owner:
            hits = self._members(owner, ref, fam)
            if hits:
                return hits
        bindings = self._bindings_of(tags)
        bound = bindings.get(receiver, ())
        for imp in bound:
            if imp.name in ("", "*"):
                files = self._modules.files_of(tags.language, ref.path, imp.module)
            else:  # `from pkg import module` then `module.f()`
                sep = "/" if tags.language not in ("python", "java") else "."
                files = self._modules.files_of(
                    tags.language, ref.path, f"{imp.module}{sep}{imp.name}"
                )
            for p in files:
                self._need_file(p)
            found = [
                d
                for p in files
                for d in self._by_file_qname.get(p, {}).get(ref.name, ())
                if d.kind != "interface"
            ]
            if found:
                return _with(_fit(found, ref.arity), IMPORTED)
            if files or imp.name in ("", "*"):
                return ()  # a module (ours or external) that does not define it as a function
        match = _NEW_RECEIVER.match(receiver)
        type_name = (
            match.group(1)
            if match
            else receiver.rsplit("::", 1)[-1]
            if _IDENT.match(receiver.rsplit("::", 1)[-1])
            else ""
        )
        if type_name and (type_name[0].isupper() or match):
            hits = self._members(type_name, ref, fam)
            if hits:
                return hits
        if ref.name in BUILTIN_METHODS:
            return ()
        # Unknown receiver type: only methods can be reached through `x.name(...)`. The same
        # for every call of the name with this arity: a common name (get, save) has thousands.
        memo = self._methods_memo.setdefault(ref.name, {})
        methods = memo.get((fam, ref.arity))
        if methods is None:
            methods = memo[fam, ref.arity] = _fit(
                [
                    d
                    for d in self._by_name.get(ref.name, ())
                    if d.kind == "method" and family(d.language) == fam
                ],
                ref.arity,
            )
        if not methods or len(methods) > MAX_NAME_ONLY:
            return ()
        return _with(_nearest_first(methods, ref.path), NAME_ONLY)

    def _members(self, owner: str, ref: Reference, fam: str) -> tuple[Target, ...]:
        """Methods ``name`` of the type whose qualified name ends with ``owner``."""
        suffix = f"{owner}.{ref.name}"
        found = [
            d
            for d in self._by_name.get(ref.name, ())
            if family(d.language) == fam
            and (d.qualified_name == suffix or d.qualified_name.endswith("." + suffix))
        ]
        if not found:
            return ()
        same = [d for d in found if d.path == ref.path]
        if same:
            return _with(_fit(same, ref.arity), EXACT)
        return _with(
            _fit(found, ref.arity),
            EXACT if len({d.qualified_name for d in found}) == 1 else NAME_ONLY,
        )

    def _receiver_class(self, ref: Reference, tags: FileTags) -> str | None:
        """The class ``self``/``this`` (or a Go receiver variable) stands for inside the caller."""
        if ref.caller == MODULE:
            return None
        file_defs = self._by_file_qname.get(ref.path, {})
        for d in file_defs.get(ref.caller, ()):
            if tags.language == "go":
                return (
                    d.qualified_name.rsplit(".", 1)[0]
                    if d.receiver and d.receiver == ref.receiver
                    else None
                )
            if d.kind in ("method", "constructor") and "." in d.qualified_name:
                return d.qualified_name.rsplit(".", 1)[0]
        parts = ref.caller.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:cut])
            if any(d.kind in CLASS_KINDS for d in file_defs.get(prefix, ())):
                return prefix
        return None

    def _through_imports(
        self, name: str, ref: Reference, tags: FileTags, wanted: Callable[[Definition], bool]
    ) -> tuple[Target, ...] | None:
        """Targets through an import that binds ``name``; ``()`` when it binds an external module."""
        bindings = self._bindings_of(tags)
        bound = [imp for imp in bindings.get(name, ()) if imp.name not in ("", "*")]
        for imp in bound:
            files = self._modules.files_of(tags.language, ref.path, imp.module)
            found = [d for p in files for d in self._by_name_in(p, imp.name) if wanted(d)]
            if found:
                return _with(_fit(found, ref.arity), IMPORTED)
        if bound:
            return ()  # imported from outside the repository
        for imp in bindings.get("*", ()):
            files = self._modules.files_of(tags.language, ref.path, imp.module)
            found = [
                d for p in files if p != ref.path for d in self._by_name_in(p, name) if wanted(d)
            ]
            if found:
                return _with(_fit(found, ref.arity), IMPORTED)
        return None

    def _global(
        self, ref: Reference, fam: str, wanted: Callable[[Definition], bool]
    ) -> tuple[Target, ...]:
        # A function nested in another function is invisible outside it.
        found = [
            d
            for d in self._by_name.get(ref.name, ())
            if family(d.language) == fam
            and wanted(d)
            and not (d.kind == "function" and "." in d.qualified_name and d.language != "rust")
        ]
        fitted = _fit(found, ref.arity)
        return (
            _with(_nearest_first(fitted, ref.path), NAME_ONLY)
            if 0 < len(fitted) <= MAX_NAME_ONLY
            else ()
        )


def _encloses(d: Definition, caller: str) -> bool:
    parent = d.qualified_name.rpartition(".")[0]
    return not parent or caller == parent or caller.startswith(parent + ".")


def _nearest_first(defs: list[Definition], path: str) -> list[Definition]:
    """Candidates sorted by how much of ``path``'s folder they share (closest first), then by
    place: the order files were loaded in (a cold or a warm index) must not show through."""
    here = path.split("/")[:-1]

    def shared(d: Definition) -> int:
        there = d.path.split("/")[:-1]
        n = 0
        while n < len(here) and n < len(there) and here[n] == there[n]:
            n += 1
        return n

    return sorted(defs, key=lambda d: (-shared(d), d.path, d.start_line, d.start_col))


def _fit(defs: list[Definition], arity: int | None) -> list[Definition]:
    """The definitions that accept ``arity`` arguments; all of them when none does."""
    fitting = [d for d in defs if d.accepts(arity)]
    return fitting or defs


def _with(defs: list[Definition], confidence: str) -> tuple[Target, ...]:
    return tuple((d, confidence) for d in defs)
