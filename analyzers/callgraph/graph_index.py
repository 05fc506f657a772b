"""The call graph's store: every file's definitions, call sites and imports, loaded lazily.

:class:`GraphIndex` keeps the lookup tables resolution needs (definitions by name and by
file, call sites by name, each file's import bindings, the module index) and the memos
of resolved call sites, which any change of the files it holds invalidates. Files known
only through an attached :class:`~tactful.analyzers.callgraph.lazy.TagSource` are loaded
the first time a lookup could involve them, so a warm index of a large repository loads
only what a review touches.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict

from tactful.analyzers.callgraph.imports import Import
from tactful.analyzers.callgraph.lazy import TagSource
from tactful.analyzers.callgraph.modules import ModuleIndex
from tactful.analyzers.callgraph.tags import Definition, FileTags, Reference

Target = tuple[Definition, str]
"""A definition a call site may reach, with the confidence of that edge."""


class GraphIndex:
    """Definitions and call sites of many files, indexed for resolution."""

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

    def paths_in(self, directory: str) -> list[str]:
        """Known files directly in ``directory``, loaded or not (loads none), in path order."""
        known = {*self._files, *self._pending}
        return sorted(p for p in known if posixpath.dirname(p) == directory)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def loaded(self, path: str) -> bool:
        """Whether the file's tags are in memory (not only known through the source)."""
        return path in self._files

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

    # -- lookups -------------------------------------------------------------------------

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
