"""Language detection and tree-sitter plumbing for the eleven supported languages.

Grammars come only from the official per-language wheels. Each ``Language`` and each
compiled ``Query`` is built once per process and reused: compiling a query costs far more
than running it. Parsers are not thread-safe, so each thread gets its own.
Every parse goes through :func:`bounded_parse` (see :mod:`tactful.analyzers.parse_budget`).
"""

from __future__ import annotations

import functools
import importlib
import os
import threading
import time
from dataclasses import dataclass
from importlib import resources

import tree_sitter as ts
from tactful.analyzers.parse_budget import (
    BOUNDED_FROM_BYTES,
    CHUNK,
    MAX_ERROR_CHILDREN,
    ParseTooSlow,
    WithinBudget,
    parse_budget_s,
    progress_callback_works,
    widest_error,
    within_budget,
)


@dataclass(frozen=True, slots=True)
class LanguageSpec:
    name: str
    module: str
    """The grammar wheel's module."""
    function: str = "language"
    """The function in that module that returns the grammar pointer."""
    extensions: tuple[str, ...] = ()
    shebangs: tuple[str, ...] = ()


SPECS: dict[str, LanguageSpec] = {
    spec.name: spec
    for spec in (
        LanguageSpec(
            "python", "tree_sitter_python", extensions=(".py", ".pyi", ".pyw"), shebangs=("python",)
        ),
        LanguageSpec(
            "javascript",
            "tree_sitter_javascript",
            extensions=(".js", ".mjs", ".cjs", ".jsx"),
            shebangs=("node", "nodejs", "deno", "bun"),
        ),
        LanguageSpec(
            "typescript", "tree_sitter_typescript", "language_typescript", (".ts", ".mts", ".cts")
        ),
        LanguageSpec("tsx", "tree_sitter_typescript", "language_tsx", (".tsx",)),
        LanguageSpec("go", "tree_sitter_go", extensions=(".go",)),
        LanguageSpec("java", "tree_sitter_java", extensions=(".java",)),
        LanguageSpec("c", "tree_sitter_c", extensions=(".c", ".h")),
        LanguageSpec(
            "cpp",
            "tree_sitter_cpp",
            extensions=(
                ".cc",
                ".cpp",
                ".cxx",
                ".c++",
                ".hpp",
                ".hh",
                ".hxx",
                ".h++",
                ".ipp",
                ".inl",
            ),
        ),
        LanguageSpec("csharp", "tree_sitter_c_sharp", extensions=(".cs",)),
        LanguageSpec(
            "ruby",
            "tree_sitter_ruby",
            extensions=(".rb", ".rake", ".gemspec", ".ru"),
            shebangs=("ruby",),
        ),
        LanguageSpec(
            "php", "tree_sitter_php", "language_php", (".php", ".phtml", ".php5", ".php7", ".phps")
        ),
        LanguageSpec("rust", "tree_sitter_rust", extensions=(".rs",)),
    )
}

LANGUAGES: tuple[str, ...] = tuple(SPECS)

_BY_EXTENSION = {ext: spec.name for spec in SPECS.values() for ext in spec.extensions}
_BY_FILENAME = {"Rakefile": "ruby", "Gemfile": "ruby", "Guardfile": "ruby", "Vagrantfile": "ruby"}
_BY_INTERPRETER = {sh: spec.name for spec in SPECS.values() for sh in spec.shebangs}

# Names that CodeReviewer records (and people) use for our languages.
ALIASES = {
    "py": "python",
    "js": "javascript",
    "ts": "typescript",
    "rb": "ruby",
    ".cs": "csharp",
    "cs": "csharp",
    "c#": "csharp",
    "c++": "cpp",
    "golang": "go",
    "rs": "rust",
}


def normalize_language(name: str) -> str | None:
    """Map ``py``, ``.cs``, ``C++`` ... to our language names; None if unknown."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    return key if key in SPECS else None


def detect_language(path: str, text: str | None = None) -> str | None:
    """Language of ``path`` by extension, file name, then ``#!`` line; None when unknown."""
    base = os.path.basename(path)
    if base in _BY_FILENAME:
        return _BY_FILENAME[base]
    ext = os.path.splitext(base)[1].lower()
    if ext in _BY_EXTENSION:
        return _BY_EXTENSION[ext]
    if text and text.startswith("#!"):
        return _language_from_shebang(text.split("\n", 1)[0])
    return None


def _language_from_shebang(line: str) -> str | None:
    words = line[2:].strip().split()
    if not words:
        return None
    program = os.path.basename(words[0])
    if program == "env":
        args = [w for w in words[1:] if not w.startswith("-")]
        if not args:
            return None
        program = os.path.basename(args[0])
    program = program.rstrip("0123456789.")  # python3.12 -> python
    return _BY_INTERPRETER.get(program)


@functools.cache
def get_language(name: str) -> ts.Language:
    """The tree-sitter ``Language`` for ``name`` (built once per process)."""
    spec = SPECS[name]
    module = importlib.import_module(spec.module)
    return ts.Language(getattr(module, spec.function)())


_local = threading.local()


def get_parser(name: str) -> ts.Parser:
    """A parser for ``name`` owned by the calling thread."""
    parsers: dict[str, ts.Parser] | None = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    parser = parsers.get(name)
    if parser is None:
        parser = parsers[name] = ts.Parser(get_language(name))
    return parser


def bounded_parse(
    name: str, data: bytes, old_tree: ts.Tree | None = None, changed: int | None = None
) -> ts.Tree:
    """:func:`_parse_within_budget`, refusing a tree that queries could not search in time.

    Text like ``((((...`` parses fast, but tree-sitter recovers it into one ERROR node with
    a child per bracket, and every query over it is quadratic in that width (400 lines of
    100 brackets, 40,000 children, held a review for 11-20 s).
    """
    tree = _parse_within_budget(name, data, old_tree, changed)
    if tree.root_node.has_error and (width := widest_error(tree)) > MAX_ERROR_CHILDREN:
        raise ParseTooSlow(
            f"a syntax error spanning {width:,}+ nodes in {len(data):,} bytes of {name} "
            f"(queries over it would take minutes)"
        )
    return tree


def _parse_within_budget(
    name: str, data: bytes, old_tree: ts.Tree | None, changed: int | None
) -> ts.Tree:
    """``data`` parsed as language ``name`` (incrementally from ``old_tree``), within budget.

    ``changed`` is how many bytes an incremental parse must read anew (default: all).
    Raises :class:`ParseTooSlow` when the parse is stopped; the parser is reset, since a
    stopped parser would otherwise resume that parse on its next call.

    An incremental parse of a large edit is a whole bounded parse: the progress callback
    with an old tree leaks the same way.
    """
    parser = get_parser(name)
    small = len(data) < BOUNDED_FROM_BYTES
    if old_tree is not None:
        if (len(data) if changed is None else changed) < BOUNDED_FROM_BYTES:
            tree = parser.parse(data, old_tree)
            if not small:  # a parsed base and a small edit: a whole parse is safe too
                within_budget.add(WithinBudget.key(name, data))
            return tree
        old_tree = None
    if small or not progress_callback_works():
        return parser.parse(data)
    key = WithinBudget.key(name, data)
    if key in within_budget:
        return parser.parse(data)
    budget = parse_budget_s(len(data))
    deadline = time.thread_time() + budget

    def read(offset: int, _point: tuple[int, int]) -> bytes:
        return data[offset : offset + CHUNK]

    def stop(_offset: int, _has_error: bool) -> bool:
        return time.thread_time() > deadline

    try:
        tree = parser.parse(read, progress_callback=stop)
    except ValueError:  # what py-tree-sitter raises for a parse the callback stopped
        parser.reset()
        raise ParseTooSlow(
            f"parsing {len(data):,} bytes of {name} took over {budget:.2f} s of CPU (stopped)"
        ) from None
    within_budget.add(key)
    return tree


def parse(name: str, source: bytes | str) -> ts.Tree:
    """Parse ``source`` as language ``name`` (bounded: may raise :class:`ParseTooSlow`)."""
    data = source.encode("utf-8") if isinstance(source, str) else source
    return bounded_parse(name, data)


@functools.lru_cache(maxsize=16)
def _parse_once(name: str, data: bytes) -> ts.Tree | ParseTooSlow:
    try:
        return bounded_parse(name, data)
    except ParseTooSlow as exc:
        return exc  # remembered too: a base revision too slow to parse is not tried again


def parse_cached(name: str, data: bytes) -> ts.Tree:
    """Parse ``data``, reusing the tree of an identical recent text.

    An editor reviews the same base revision after every keystroke; its tree is parsed
    once. Each caller gets its own shallow copy, since a tree is not shared across threads.
    """
    tree = _parse_once(name, data)
    if isinstance(tree, ParseTooSlow):
        raise ParseTooSlow(*tree.args)
    return tree.copy()


def parse_edited(name: str, old_tree: ts.Tree, old_data: bytes, new_data: bytes) -> ts.Tree:
    """Parse ``new_data`` incrementally from ``old_tree`` (the tree of ``old_data``).

    The edit is the span between the texts' common prefix and common suffix, so a review of
    a one-line change reparses about one line instead of the whole file.
    """
    start, _, new_end = edited_bytes(old_data, new_data)
    edited = edited_tree(old_tree, old_data, new_data)
    return bounded_parse(name, new_data, edited, changed=new_end - start)


def edited_tree(old_tree: ts.Tree, old_data: bytes, new_data: bytes) -> ts.Tree:
    """A copy of ``old_tree`` told of the edit from ``old_data`` to ``new_data`` (reparse base)."""
    start, old_end, new_end = edited_bytes(old_data, new_data)
    edited = old_tree.copy()
    edited.edit(
        start_byte=start,
        old_end_byte=old_end,
        new_end_byte=new_end,
        start_point=_point(old_data, start),
        old_end_point=_point(old_data, old_end),
        new_end_point=_point(new_data, new_end),
    )
    return edited


def edited_bytes(old_data: bytes, new_data: bytes) -> tuple[int, int, int]:
    """(start, old end, new end) of the one region where two texts differ (common prefix/suffix)."""
    start = _common_prefix(old_data, new_data)
    limit = min(len(old_data), len(new_data)) - start
    suffix = _common_prefix(old_data[::-1], new_data[::-1], limit)
    return start, len(old_data) - suffix, len(new_data) - suffix


def _common_prefix(a: bytes, b: bytes, limit: int | None = None) -> int:
    """Length of the longest common prefix (binary search over slice comparisons, in C)."""
    lo, hi = 0, min(len(a), len(b)) if limit is None else limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _point(data: bytes, offset: int) -> tuple[int, int]:
    row = data.count(b"\n", 0, offset)
    return row, offset - (data.rfind(b"\n", 0, offset) + 1)


@functools.cache
def load_query(package: str, filename: str, language: str) -> ts.Query:
    """Compile the ``.scm`` query ``filename`` from ``package`` for ``language``, once.

    A first line ``; inherits: a, b`` prepends ``a.scm`` and ``b.scm`` from the same package
    (as nvim-treesitter does), so TSX can reuse the TypeScript query instead of a copy.
    """
    return ts.Query(get_language(language), _query_text(package, filename))


def _query_text(package: str, filename: str) -> str:
    text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    first = text.split("\n", 1)[0]
    if not first.startswith("; inherits:"):
        return text
    parents = [
        name.strip() for name in first.removeprefix("; inherits:").split(",") if name.strip()
    ]
    return "\n".join([*(_query_text(package, f"{name}.scm") for name in parents), text])


def has_errors(tree: ts.Tree) -> bool:
    return tree.root_node.has_error


def error_nodes(tree: ts.Tree, limit: int = 1000) -> list[ts.Node]:
    """The ERROR and MISSING nodes of the tree (at most ``limit``); only subtrees holding one are visited."""
    found: list[ts.Node] = []
    if not tree.root_node.has_error:
        return found
    stack = [tree.root_node]
    while stack and len(found) < limit:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(node)
        elif node.has_error:
            stack.extend(node.children)
    return found


def count_error_nodes(tree: ts.Tree, limit: int = 1000) -> int:
    """How many ERROR or MISSING nodes the tree has (stops counting at ``limit``)."""
    return len(error_nodes(tree, limit))
