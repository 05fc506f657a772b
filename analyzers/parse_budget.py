"""Bounds on what one tree-sitter parse may cost, and the memory of texts that kept them.

Large parses are bounded. tree-sitter's error recovery costs up to ~45 us a byte on
hostile text (runs of unterminated strings such as ``"a"a"a...`` in C#, backticks in
Ruby), where real code costs under 1.5 us, so a 1 MB file could hold a review for 20-45 s.
A parse of ``BOUNDED_FROM_BYTES`` or more gets a CPU-time budget (``PARSE_BUDGET_S`` plus
``PARSE_BUDGET_PER_BYTE_S`` a byte, several times what real code needs) through
tree-sitter's progress callback, and raises :class:`ParseTooSlow` past it; CPU time of the
parsing thread, not wall time, so a loaded machine does not cut real files. Smaller texts
(and incremental parses of smaller edits) cost at most ~3 s at the worst rate measured
and are parsed directly: py-tree-sitter 0.26 leaks every chunk a read callback returns
(about the text's size per parse: the editor's RSS grew 14-39 % over 1,000 edits when
every parse went through it), and the progress callback needs a read callback.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import threading
from collections import OrderedDict

import tree_sitter as ts

BOUNDED_FROM_BYTES = 65536
"""Smaller texts (and smaller edits of a parsed text) are parsed without a budget."""
PARSE_BUDGET_S = 0.25
PARSE_BUDGET_PER_BYTE_S = 2e-6
CHUNK = 65536


class ParseTooSlow(Exception):
    """A parse ran past its CPU budget and was stopped (the text is hostile or pathological)."""


@functools.cache
def progress_callback_works() -> bool:
    """Whether this py-tree-sitter survives a progress callback: 0.25.2 and 0.26.0 crash
    the interpreter (SIGSEGV) the first time it fires; 0.26.1 works."""
    try:
        version = importlib.metadata.version("tree-sitter")
    except importlib.metadata.PackageNotFoundError:
        return False
    numbers = tuple(int(part) for part in version.split(".")[:3] if part.isdigit())
    return numbers >= (0, 26, 1)


class WithinBudget:
    """Digests of large texts already parsed within budget: parsed again directly.

    The editor parses the same base revision on every keystroke (more often than the tree
    cache holds it, with many documents open); each bounded parse would leak its size.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.digests: OrderedDict[tuple[str, bytes], None] = OrderedDict()
        self.lock = threading.Lock()

    @staticmethod
    def key(name: str, data: bytes) -> tuple[str, bytes]:
        return name, hashlib.blake2b(data, digest_size=16).digest()

    def __contains__(self, key: tuple[str, bytes]) -> bool:
        with self.lock:
            if key in self.digests:
                self.digests.move_to_end(key)
                return True
            return False

    def add(self, key: tuple[str, bytes]) -> None:
        with self.lock:
            self.digests[key] = None
            while len(self.digests) > self.size:
                self.digests.popitem(last=False)


within_budget = WithinBudget()


def parse_budget_s(size: int) -> float:
    """CPU seconds a parse of ``size`` bytes may take."""
    return PARSE_BUDGET_S + PARSE_BUDGET_PER_BYTE_S * size


MAX_ERROR_CHILDREN = 5000
"""Widest syntax-error node a tree may hold: queries cost the square of that width (real
files seen: at most 1,621, in a macro-heavy C test file; 10,000 costs ~1 s of queries)."""


def widest_error(tree: ts.Tree) -> int:
    """Children of the widest ERROR node, looking only where ``has_error`` leads."""
    widest = 0
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error:
            widest = max(widest, node.child_count)
            if widest > MAX_ERROR_CHILDREN:
                break
        stack.extend(child for child in node.children if child.has_error)
    return widest
