"""Resolve call sites to definitions across a repository, and walk callers and callees.

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
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from tactful.analyzers.callgraph.builtin_names import BUILTIN_METHODS
from tactful.analyzers.callgraph.imports import Import
from tactful.analyzers.callgraph.lazy import TagSource
from tactful.analyzers.callgraph.modules import ModuleIndex
from tactful.analyzers.callgraph.records import Callee, CallSite
from tactful.analyzers.callgraph.tags import (
    CLASS_KINDS,
    MODULE,
    Definition,
    FileTags,
    Reference,
)

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

Target = tuple[Definition, str]


def family(language: str) -> str:
    return _FAMILY.get(language, language)


class CallGraph:
    """Definitions and call sites of many files, resolved on demand."""

    def __init__(self) -> None:
        self._files: dict[str, FileTags] = {}
        self._by_name: dict[str, list[Definition]] = defaultdict(list)
        self._by_file_qname: dict[str, dict[str, list[Definition]]] = {}
        self._refs_by_name: dict[str, list[Reference]] = defaultdict(list)
        self._refs_by_caller: dict[str, dict[str, list[Reference]]] = {}
        """path -> caller -> call sites; filled per file on first use (most files never are)."""
        self._modules = ModuleIndex()
        self._bindings: dict[str, dict[str, list[Import]]] = {}
        self._memo: dict[int, tuple[Target, ...]] = {}
        self._methods_memo: dict[str, dict[tuple[str, int | None], list[Definition]]] = {}
        """name -> (family, arity) -> the methods a call on an unknown receiver may reach;
        dropped when a definition of that name comes or goes."""
        self._source: TagSource | None = None
        self._pending: dict[str, str] = {}
        """path -> package of files the source holds and the graph has not loaded yet."""
        self._loaded_names: set[tuple[str, str]] = set()
        """("d" or "r", name) whose defining or referencing files are all loaded."""

    @classmethod
    def build(cls, tags: Iterable[FileTags]) -> CallGraph:
        graph = cls()
        for file_tags in tags:
            graph.replace_file(file_tags)
        return graph

    # -- maintenance ---------------------------------------------------------------------

    def attach(self, source: TagSource, pending: dict[str, str]) -> None:
        """Know ``pending`` (path -> package) without loading them: ``source`` gives each file's
        tags the first time a lookup could involve it."""
        self._source = source
        self._loaded_names.clear()
        for path, package in pending.items():
            if path not in self._files and path not in self._pending:
                self._pending[path] = package
                self._modules.add(path, package)

    def load_all(self) -> None:
        """Load every pending file (whole-graph queries need them all)."""
        for path in list(self._pending):
            self._load(path)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def replace_file(self, tags: FileTags) -> None:
        """Add a file, or replace its earlier tags."""
        known = tags.path in self._files or tags.path in self._pending
        self.remove_file(tags.path)  # forgets earlier answers when the file was known
        if not known and self._memo:  # a new file's definitions may answer calls resolved before
            self._memo.clear()
        self._install(tags)

    def _install(self, tags: FileTags, *, in_modules: bool = False) -> None:
        self._files[tags.path] = tags
        if self._methods_memo:
            for d in tags.definitions:
                self._methods_memo.pop(d.name, None)
        # Local names and plain-dict lookups: a fresh index installs a few hundred thousand records.
        by_name = self._by_name
        by_qname: dict[str, list[Definition]] = {}
        for d in tags.definitions:
            by_name[d.name].append(d)
            same = by_qname.get(d.qualified_name)
            if same is None:
                by_qname[d.qualified_name] = [d]
            else:
                same.append(d)
        self._by_file_qname[tags.path] = by_qname
        refs_by_name = self._refs_by_name
        aliases = {
            imp.alias: imp.name for imp in tags.imports if imp.alias and imp.name not in ("", "*")
        }
        if aliases:
            for r in tags.references:
                refs_by_name[r.name].append(r)
                original = aliases.get(r.name) if not r.receiver else None
                if (
                    original and original != r.name
                ):  # `from m import f as g`: g() is a call site of f
                    refs_by_name[original].append(r)
        else:
            for r in tags.references:
                refs_by_name[r.name].append(r)
        if not in_modules:
            self._modules.add(tags.path, tags.package)

    def _load(self, path: str) -> None:
        package = self._pending.pop(path, None)
        if package is None or self._source is None:
            return
        tags = self._source.tags(path)
        if tags is not None and tags.package == package:
            self._install(tags, in_modules=True)
        else:
            self._modules.remove(path, package)
            if tags is not None:
                self._install(tags)

    def _need_file(self, path: str) -> None:
        if path in self._pending:
            self._load(path)

    def _need_definitions(self, name: str) -> None:
        """Load every file that defines ``name`` (what resolving a call to it looks at)."""
        if self._source is not None and self._pending and ("d", name) not in self._loaded_names:
            self._loaded_names.add(("d", name))
            for path in self._source.defining(name):
                self._need_file(path)

    def _need_references(self, name: str) -> None:
        """Load every file with a call site listed under ``name`` (what finding callers needs)."""
        if self._source is not None and self._pending and ("r", name) not in self._loaded_names:
            self._loaded_names.add(("r", name))
            for path in self._source.referencing(name):
                self._need_file(path)

    def remove_file(self, path: str) -> None:
        package = self._pending.pop(path, None)
        if package is not None:  # never loaded: only the module index knows it
            self._modules.remove(path, package)
            self._bindings.clear()
            self._memo.clear()
            self._methods_memo.clear()
            return
        old = self._files.pop(path, None)
        if old is None:
            return
        for name in {d.name for d in old.definitions}:
            self._by_name[name] = [d for d in self._by_name[name] if d.path != path]
        names = {r.name for r in old.references} | {imp.name for imp in old.imports}
        for name in names & self._refs_by_name.keys():
            self._refs_by_name[name] = [r for r in self._refs_by_name[name] if r.path != path]
        self._refs_by_caller.pop(path, None)
        self._by_file_qname.pop(path, None)
        self._modules.remove(path, old.package)
        self._bindings.clear()
        self._memo.clear()
        self._methods_memo.clear()

    # -- queries -----------------------------------------------------------------------

    @property
    def files(self) -> dict[str, FileTags]:
        """Every file's tags (loads the pending ones)."""
        self.load_all()
        return self._files

    def find(self, qualified_name: str, path: str) -> list[Definition]:
        """Definitions named ``qualified_name`` in ``path`` (several for overloads)."""
        self._need_file(path)
        return list(self._by_file_qname.get(path, {}).get(qualified_name, ()))

    def definition_at(self, path: str, line: int) -> Definition | None:
        """The innermost callable definition (else type) that contains ``line``."""
        self._need_file(path)
        tags = self._files.get(path)
        if tags is None:
            return None
        around = [d for d in tags.definitions if d.span.contains_line(line)]
        around.sort(key=lambda d: (not d.callable, -d.span.start_line))
        return around[0] if around else None

    def references(self) -> Iterator[Reference]:
        self.load_all()
        for tags in self._files.values():
            yield from tags.references

    def resolved_counts(self) -> dict[str, int]:
        """Call sites by the best confidence they resolve with (``unresolved`` when none)."""
        counts = {EXACT: 0, IMPORTED: 0, NAME_ONLY: 0, "unresolved": 0}
        for ref in self.references():
            targets = self.resolve(ref)
            best = min((CONFIDENCE_RANK[c] for _, c in targets), default=None)
            counts[("unresolved", EXACT, IMPORTED, NAME_ONLY)[0 if best is None else best + 1]] += 1
        return counts

    def callers(
        self, qualified_name: str, path: str, depth: int = 2, arity: int | None = None
    ) -> list[CallSite]:
        """Call sites of the definition, then of its callers, up to ``depth`` levels."""
        targets = [d for d in self.find(qualified_name, path) if arity is None or d.accepts(arity)]
        seen_defs = {id(d) for d in targets}
        seen_refs: set[int] = set()
        out: list[CallSite] = []
        for level in range(1, depth + 1):
            next_targets: list[Definition] = []
            for target in targets:
                self._need_references(target.name)
                for ref in self._refs_by_name.get(target.name, ()):
                    if id(ref) in seen_refs:
                        continue
                    conf = next((c for d, c in self.resolve(ref) if d is target), None)
                    if conf is None:
                        continue
                    seen_refs.add(id(ref))
                    out.append(
                        CallSite(
                            ref.path,
                            ref.span,
                            ref.snippet,
                            ref.caller,
                            target.qualified_name,
                            target.path,
                            conf,
                            level,
                        )
                    )
                    for caller_def in self.find(ref.caller, ref.path):
                        if id(caller_def) not in seen_defs:
                            seen_defs.add(id(caller_def))
                            next_targets.append(caller_def)
            targets = next_targets
        out.sort(key=lambda c: (c.depth, CONFIDENCE_RANK[c.confidence], c.path, c.span.start_line))
        return out

    def direct_calls(self, target: Definition) -> list[tuple[Reference, str]]:
        """Call sites that resolve to ``target`` itself, with their confidence."""
        out = []
        self._need_references(target.name)
        for ref in self._refs_by_name.get(target.name, ()):
            conf = next((c for d, c in self.resolve(ref) if d is target), None)
            if conf is not None:
                out.append((ref, conf))
        return out

    def calls_named(self, name: str) -> list[Reference]:
        """Every call site of ``name``, resolved or not."""
        return list(self._refs_by_name.get(name, ()))

    def definitions_named(self, name: str) -> list[Definition]:
        self._need_definitions(name)
        return list(self._by_name.get(name, ()))

    def callees(self, qualified_name: str, path: str, depth: int = 2) -> list[Callee]:
        """Definitions the definition calls, then what those call, up to ``depth`` levels."""
        sources = [(path, qualified_name)]
        seen: set[int] = {id(d) for d in self.find(qualified_name, path)}
        out: list[Callee] = []
        for level in range(1, depth + 1):
            next_sources: list[tuple[str, str]] = []
            for source in sources:
                for ref in self._calls_from(*source):
                    for d, conf in self.resolve(ref):
                        if id(d) in seen:
                            continue
                        seen.add(id(d))
                        out.append(
                            Callee(
                                d.qualified_name,
                                d.path,
                                d.span,
                                d.signature,
                                d.kind,
                                conf,
                                level,
                                ref.path,
                                ref.span,
                            )
                        )
                        if d.callable:
                            next_sources.append((d.path, d.qualified_name))
            sources = next_sources
        out.sort(key=lambda c: (c.depth, CONFIDENCE_RANK[c.confidence], c.call_span.start_line))
        return out

    def _calls_from(self, path: str, caller: str) -> list[Reference]:
        """Call sites in ``path`` whose enclosing definition is ``caller``, in file order."""
        self._need_file(path)
        by_caller = self._refs_by_caller.get(path)
        if by_caller is None:
            tags = self._files.get(path)
            if tags is None:
                return []
            grouped: dict[str, list[Reference]] = defaultdict(list)
            for r in tags.references:
                grouped[r.caller].append(r)
            by_caller = self._refs_by_caller[path] = dict(grouped)
        return by_caller.get(caller, [])

    # -- resolution --------------------------------------------------------------------

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

    def _local(self, ref: Reference) -> list[Definition]:
        return [d for d in self._by_name.get(ref.name, ()) if d.path == ref.path]

    def _by_name_in(self, path: str, name: str) -> list[Definition]:
        self._need_file(path)
        self._need_definitions(name)
        defs = self._by_file_qname.get(path, {})
        return [d for d in defs.get(name, ())] or [
            d
            for d in self._by_name.get(name, ())
            if d.path == path and d.kind not in ("method", "constructor")
        ]

    def _bindings_of(self, tags: FileTags) -> dict[str, list[Import]]:
        found = self._bindings.get(tags.path)
        if found is None:
            found = defaultdict(list)
            for imp in tags.imports:
                found["*" if imp.name == "*" else imp.local].append(imp)
            self._bindings[tags.path] = found = dict(found)
        return found


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
