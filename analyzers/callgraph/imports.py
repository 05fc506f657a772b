"""Import statements, per language, as the local names they bind.

``from m import f as g`` binds ``g`` to ``f`` of ``m``; Go's ``import "a/b"`` binds ``b``
to the package; Java's ``import a.b.C`` binds ``C`` from ``a.b``; Rust's
``use a::{b, c as d}`` is flattened; C and C++ includes, Ruby requires and C# usings make
everything in the target visible (``*``).
"""

from __future__ import annotations

from typing import NamedTuple


class Import(NamedTuple):
    """One name an import brings into a file."""

    module: str
    """The module as written: ``.models``, ``./util.js``, ``fmt``, ``crate::a``, ``a.b.C``."""
    name: str = ""
    """The imported name; empty for a whole-module import; ``*`` for a wildcard."""
    alias: str = ""
    """The local name, when it differs from ``name`` (or names the module)."""

    @property
    def local(self) -> str:
        return self.alias or self.name or self.module


def language_imports(
    language: str, module: str, name: str, alias: str, statement: str
) -> list[Import]:
    """Normalise one captured import into the bindings it creates."""
    if language == "go":
        if alias == ".":
            return [Import(module, "*")]
        return [Import(module, "", alias or module.rsplit("/", 1)[-1])]
    if language == "java":
        if statement.rstrip(";").rstrip().endswith("*"):
            return [Import(module, "*")]
        head, _, last = module.rpartition(".")
        return [Import(head, last)]
    if language == "php":
        head, _, last = module.replace("\\", "/").rpartition("/")
        return [Import(head, last, alias)]
    if language == "csharp":
        return [Import(module, "*")]
    if language == "rust":
        return [Import(m, n, a) for m, n, a in _rust_use(module)]
    if language in ("c", "cpp", "ruby"):
        return [Import(module, "*")]
    if language == "python" and not name and not alias:
        return [Import(module, "", module)]
    return [Import(module, name, alias)]


def _rust_use(text: str) -> list[tuple[str, str, str]]:
    """Flatten ``a::b::{c, d as e, f::g}`` into (module, name, alias) triples."""
    text = " ".join(text.split())
    out: list[tuple[str, str, str]] = []

    def walk(prefix: str, item: str) -> None:
        item = item.strip()
        if not item:
            return
        brace = item.find("{")
        if brace >= 0 and item.endswith("}"):
            head = item[:brace].rstrip(":")
            inner = item[brace + 1 : -1]
            depth, start = 0, 0
            for i, ch in enumerate(inner):
                depth += ch == "{"
                depth -= ch == "}"
                if ch == "," and depth == 0:
                    walk(_join(prefix, head), inner[start:i])
                    start = i + 1
            walk(_join(prefix, head), inner[start:])
            return
        alias = ""
        if " as " in item:
            item, alias = (s.strip() for s in item.split(" as ", 1))
        full = _join(prefix, item)
        module, _, name = full.rpartition("::")
        if name == "self":
            module, _, name = module.rpartition("::")
        out.append((module, name, alias if alias != name else ""))

    walk("", text)
    return out


def _join(prefix: str, tail: str) -> str:
    return f"{prefix}::{tail}" if prefix and tail else prefix or tail
