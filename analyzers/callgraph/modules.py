"""Which repository files an import names.

Imports are matched against file paths, not against a build system: ``from a.b import c``
looks for a file whose extension-less path ends in ``a/b`` (or a package ``a/b/__init__``),
``import "./util.js"`` is resolved relative to the importing file, a Go import path matches
a directory by its trailing segments, ``#include "x.h"`` finds ``x.h`` and its sibling
``x.c``. External modules (the standard library, third-party packages) match nothing, so
calls through them stay unresolved instead of landing on a same-named local function.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict

# File stems that stand for their folder: a package's __init__.py, index.ts, mod.rs, lib.rs.
_FOLDER_STEMS = frozenset({"__init__", "index", "mod", "lib"})
_SOURCE_EXTS = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts")


def _suffixes(parts: list[str]) -> list[str]:
    return ["/".join(parts[i:]) for i in range(len(parts))]


class ModuleIndex:
    """Path-suffix indexes over the files of a repository; updated one file at a time."""

    def __init__(self) -> None:
        self._stems: dict[str, set[str]] = defaultdict(set)
        self._dirs: dict[str, set[str]] = defaultdict(set)
        self._packages: dict[str, set[str]] = defaultdict(set)
        self._memo: dict[tuple[str, str, str], tuple[str, ...]] = {}

    def add(self, path: str, package: str) -> None:
        for key in self._stem_keys(path):
            self._stems[key].add(path)
        for key in _suffixes(posixpath.dirname(path).split("/")) if "/" in path else [""]:
            self._dirs[key].add(path)
        if package:
            self._packages[package].add(path)
        self._memo.clear()

    def remove(self, path: str, package: str) -> None:
        for key in self._stem_keys(path):
            self._stems[key].discard(path)
        for key in _suffixes(posixpath.dirname(path).split("/")) if "/" in path else [""]:
            self._dirs[key].discard(path)
        if package:
            self._packages[package].discard(path)
        self._memo.clear()

    def same_directory(self, path: str) -> set[str]:
        return self._dirs.get(posixpath.dirname(path) or "", set())

    def files_of(self, language: str, importer: str, module: str) -> tuple[str, ...]:
        """Files that ``module`` (as written in ``importer``) names; empty when external."""
        key = (language, importer, module)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = tuple(sorted(self._lookup(language, importer, module)))
        return found

    # -- per-language rules ------------------------------------------------------------

    def _lookup(self, language: str, importer: str, module: str) -> set[str]:
        here = posixpath.dirname(importer)
        if language == "python":
            if module.startswith("."):
                dots = len(module) - len(module.lstrip("."))
                base = here
                for _ in range(dots - 1):
                    base = posixpath.dirname(base)
                rest = module[dots:].replace(".", "/")
                return set(self._stems.get(posixpath.join(base, rest) if rest else base, ()))
            return self._by_suffix(self._stems, module.replace(".", "/"))
        if language in ("javascript", "typescript", "tsx"):
            if module.startswith("."):
                target = posixpath.normpath(posixpath.join(here, module))
                stem, ext = posixpath.splitext(target)
                return set(self._stems.get(stem if ext in _SOURCE_EXTS else target, ()))
            return set(self._stems.get(module, ()))
        if language == "go":
            return self._by_suffix(self._dirs, module)
        if language == "java":
            return self._by_suffix(self._stems, module.replace(".", "/")) or self._by_suffix(
                self._dirs, module.replace(".", "/")
            )
        if language == "csharp":
            return set(self._packages.get(module, ()))
        if language == "php":
            return self._by_suffix(self._stems, module.strip("/"))
        if language == "rust":
            return self._rust(here, module)
        if language in ("c", "cpp", "ruby"):
            stem = posixpath.splitext(module)[0]
            local = posixpath.normpath(posixpath.join(here, stem))
            return set(self._stems.get(local, ())) or self._by_suffix(
                self._stems, stem, shallow=False
            )
        return set()

    def _rust(self, here: str, module: str) -> set[str]:
        parts = [p for p in module.split("::") if p]
        if not parts:
            return set()
        if parts[0] in ("self", "super"):
            base = here
            while parts and parts[0] in ("self", "super"):
                if parts.pop(0) == "super":
                    base = posixpath.dirname(base)
            return set(self._stems.get(posixpath.join(base, *parts) if parts else base, ()))
        if parts[0] == "crate":
            parts = parts[1:]
            root = here[: here.rfind("/src") + 4] if "/src" in f"/{here}" else here
            root = "src" if here == "src" or here.startswith("src/") else root
            for cut in range(len(parts), 0, -1):
                found = set(self._stems.get(posixpath.join(root, *parts[:cut]), ()))
                if found:
                    return found
        if not parts:
            return set()
        # `use crate::a::Type` names a type inside module a: try the longest module path first.
        for cut in range(len(parts), 0, -1):
            found = self._by_suffix(self._stems, "/".join(parts[:cut]))
            if found:
                return found
        return set()

    def _stem_keys(self, path: str) -> list[str]:
        stem = posixpath.splitext(path)[0]
        parts = stem.split("/")
        keys = _suffixes(parts)
        if parts[-1] in _FOLDER_STEMS and len(parts) > 1:
            keys.extend(_suffixes(parts[:-1]))
        return keys

    @staticmethod
    def _by_suffix(
        index: dict[str, set[str]], key: str, min_parts: int = 2, shallow: bool = True
    ) -> set[str]:
        """Files under the longest trailing part of ``key`` (at least ``min_parts`` segments).

        A one-segment module (``json``, ``fmt``) only matches files near the repository root:
        deeper ones are far likelier to be a same-named local module than the import's target.
        """
        parts = [p for p in key.split("/") if p]
        need = min(len(parts), min_parts)
        for i in range(0, len(parts) - need + 1):
            hit = index.get("/".join(parts[i:]))
            if hit:
                if shallow and len(parts) - i == 1:
                    return {p for p in hit if p.count("/") <= 1}
                return set(hit)
        return set()
