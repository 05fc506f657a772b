"""What every rule shares: the per-file context, the Rule type, and helpers to build hits and fixes.

A rule is data plus one function: ``RuleInfo`` says what it is (id, languages, severity,
category, summary) and ``find(ctx)`` yields :class:`Hit` s. The framework turns hits into
findings, keeps only those on added lines, attaches the unit name, and validates fixes.
The new file is parsed once per :func:`~tactful.analyzers.checks.run_checks` call and the
tree, the line table and each language's query matches are shared by all rules.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import tree_sitter as ts
from tactful.analyzers.habits import ProjectHabits
from tactful.analyzers.languages import load_query, parse_cached
from tactful.analyzers.model import ChangeUnit, FileChange, Fix, Location, Severity, Span, TextEdit

QUERY_PACKAGE = "tactful.analyzers.checks"

# Languages that share a query file (the TypeScript and C++ grammars extend JS and C).
QUERY_FILES: dict[str, tuple[str, ...]] = {
    "python": ("python.scm",),
    "javascript": ("javascript.scm",),
    "typescript": ("javascript.scm",),
    "tsx": ("javascript.scm",),
    "go": ("go.scm",),
    "java": ("java.scm",),
    "c": ("c.scm",),
    "cpp": ("c.scm", "cpp.scm"),
    "csharp": ("csharp.scm",),
    "ruby": ("ruby.scm",),
    "php": ("php.scm",),
    "rust": ("rust.scm",),
}

JS_LIKE = ("javascript", "typescript", "tsx")

CALLABLE_NODES = frozenset(
    {
        "anonymous_function", "arrow_function", "constructor_declaration", "func_literal",
        "function_declaration", "function_definition", "function_expression", "function_item",
        "lambda_expression", "local_function_statement", "method", "method_declaration",
        "method_definition", "singleton_method",
    }
)  # fmt: skip
"""Node types of a function, method or lambda in the eleven grammars: the scope rules that
ask "later in this function" or "in the same function" walk up to."""

_TEST_PATH = re.compile(
    r"(^|/)(tests?|spec|__tests__|testdata)/|(^|/)(test_[^/]*|[^/]*_test\.[^/]+|[^/]*\.(test|spec)\.[^/]+|conftest\.py)$"
)


def is_test_path(path: str) -> bool:
    """A test file by its path (``tests/``, ``spec/``, ``test_x.py``, ``x_test.go``, ``x.spec.ts``)."""
    return bool(_TEST_PATH.search(path.replace("\\", "/")))


@dataclass(frozen=True)
class RuleInfo:
    """What a rule is, for documentation and the CLI's rule listing."""

    id: str
    languages: tuple[str, ...]
    """Languages it runs on; empty means every file, known language or not."""
    severity: Severity
    category: str
    summary: str
    fixable: bool = False
    confidence: float = 1.0
    """Default confidence of its findings: high for precise rules, low for rules that are noisy
    on real code, so the display gate can learn whether this user wants them."""


@dataclass(frozen=True)
class Hit:
    """One place a rule fires, before the framework makes it a Finding."""

    span: Span
    message: str
    code: str
    fix: Fix | None = None
    anchored_on_removal: bool = False
    """The hit reports a deletion, so it may sit on an unchanged line inside a hunk."""
    confidence: float | None = None
    """Overrides the rule's default confidence for this hit."""
    related: tuple[Location, ...] = ()
    """Other places the finding points at (the old guard, a stale call site)."""


@dataclass(frozen=True)
class Rule:
    """A rule: its description and the function that finds hits in a file."""

    info: RuleInfo
    find: Callable[[CheckContext], Iterable[Hit]]

    def applies_to(self, language: str | None) -> bool:
        return not self.info.languages or language in self.info.languages


@dataclass
class CheckContext:
    """The new file as every rule sees it; built once per run_checks call."""

    file: FileChange
    units: Sequence[ChangeUnit]
    text: str
    language: str | None
    tree: ts.Tree | None
    added: frozenset[int]
    old_text: str | None = None
    """The file before the change; None for an added file or an unreadable old side."""
    habits: ProjectHabits = field(default_factory=ProjectHabits)
    """What the repository's untouched code shows about its conventions (unmeasured by default)."""
    lines: list[str] = field(init=False)
    _old_lines: list[str] | None = field(init=False, default=None)
    _old_tree: ts.Tree | None = field(init=False, default=None)
    _matches: list[dict[str, list[ts.Node]]] | None = field(init=False, default=None)
    _changed_matches: list[dict[str, list[ts.Node]]] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.lines = self.text.split("\n")

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def is_test_file(self) -> bool:
        return is_test_path(self.path)

    @property
    def basename(self) -> str:
        return posixpath.basename(self.path)

    def line(self, number: int) -> str:
        """Text of 1-based line ``number`` without its newline ('' past the end)."""
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def text_of(self, span: Span) -> str:
        """The text ``span`` covers (lines joined with newlines)."""
        if span.start_line == span.end_line:
            return self.line(span.start_line)[span.start_col : span.end_col]
        parts = [self.line(span.start_line)[span.start_col :]]
        parts += [self.line(n) for n in range(span.start_line + 1, span.end_line)]
        parts.append(self.line(span.end_line)[: span.end_col])
        return "\n".join(parts)

    def is_added(self, line: int) -> bool:
        return line in self.added

    # --- the old side ---------------------------------------------------------------------
    @property
    def removed(self) -> frozenset[int]:
        """Old-file line numbers the change removed."""
        return frozenset(self.file.removed_lines).union(*(u.changed_old_lines for u in self.units))

    def old_line(self, number: int) -> str:
        """Text of 1-based line ``number`` of the old file ('' past the end or without one)."""
        if self.old_text is None:
            return ""
        if self._old_lines is None:
            self._old_lines = self.old_text.split("\n")
        return self._old_lines[number - 1] if 0 < number <= len(self._old_lines) else ""

    @property
    def old_tree(self) -> ts.Tree | None:
        """The old file parsed as this file's language (parsed on first use, base trees cached)."""
        if (
            self._old_tree is None
            and self.old_text is not None
            and self.tree is not None
            and self.language
        ):
            self._old_tree = parse_cached(self.language, self.old_text.encode("utf-8"))
        return self._old_tree

    # --- tree-sitter helpers -------------------------------------------------------------
    def _run_queries(self, rows: tuple[int, int] | None) -> list[dict[str, list[ts.Node]]]:
        found: list[dict[str, list[ts.Node]]] = []
        if self.tree is None or self.language not in QUERY_FILES:
            return found
        for filename in QUERY_FILES[self.language]:
            cursor = ts.QueryCursor(load_query(QUERY_PACKAGE, filename, self.language))
            if rows is not None:
                cursor.set_point_range((rows[0], 0), (rows[1] + 1, 0))
            found.extend(c for _, c in cursor.matches(self.tree.root_node))
        return found

    def matches(self) -> list[dict[str, list[ts.Node]]]:
        """Captures of every match of this language's check queries (run once, shared)."""
        if self._matches is None:
            self._matches = self._run_queries(None)
        return self._matches

    def changed_matches(self) -> list[dict[str, list[ts.Node]]]:
        """Matches that touch the added lines' row range: all a changed-line rule needs.

        Editors review after every keystroke, usually with a few added lines in a large
        file; querying only that range keeps the cost proportional to the edit.
        """
        if self._matches is not None:
            return self._matches
        if self._changed_matches is None:
            rows = (min(self.added) - 1, max(self.added) - 1) if self.added else (0, 0)
            self._changed_matches = self._run_queries(rows) if self.added else []
        return self._changed_matches

    def all_captures(self, name: str) -> Iterator[dict[str, list[ts.Node]]]:
        """Every match that has capture ``name``, changed or not."""
        for captures in self.matches():
            if name in captures:
                yield captures

    def touching(self, name: str) -> Iterator[dict[str, list[ts.Node]]]:
        """Matches with capture ``name`` that may touch an added line (a superset; callers check lines)."""
        for captures in self.changed_matches():
            if name in captures:
                yield captures

    def captures(self, name: str) -> Iterator[dict[str, list[ts.Node]]]:
        """Matches that have capture ``name`` whose node starts on an added line."""
        for captures in self.changed_matches():
            nodes = captures.get(name)
            if nodes and self.is_added(nodes[0].start_point[0] + 1):
                yield captures

    def col(self, point: tuple[int, int]) -> int:
        """Code-point column of a tree-sitter (row, byte column) point."""
        row, byte_col = point
        line = self.line(row + 1)
        if line.isascii():
            return byte_col
        return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    def span(self, node: ts.Node) -> Span:
        return Span(
            node.start_point[0] + 1,
            self.col(node.start_point),
            node.end_point[0] + 1,
            self.col(node.end_point),
        )

    def node_text(self, node: ts.Node) -> str:
        return (node.text or b"").decode("utf-8", errors="replace")

    def hit(self, node: ts.Node, message: str, fix: Fix | None = None) -> Hit:
        return Hit(self.span(node), message, self.node_text(node), fix)

    def unit_name(self, line: int) -> str:
        """Qualified name of the change unit holding ``line`` ('' if none).

        The unit that owns ``line`` as a changed line wins: a ``<module>`` unit's span can
        stretch over whole definitions, and the name feeds the finding's fingerprint.
        """
        owners = [u for u in self.units if line in u.changed_new_lines]
        best: ChangeUnit | None = None
        for unit in owners or self.units:
            span = unit.new_span
            if span is None or not span.contains_line(line):
                continue
            if best is None or best.new_span is None or _size(span) < _size(best.new_span):
                best = unit
        return best.name if best else ""

    # --- fix helpers ---------------------------------------------------------------------
    def whole_lines(self, node: ts.Node, comment_prefixes: tuple[str, ...] = ()) -> bool:
        """True when ``node`` is alone on its lines (trailing ``;`` or comment allowed)."""
        start = self.span(node)
        before = self.line(start.start_line)[: start.start_col]
        after = self.line(start.end_line)[start.end_col :].strip().lstrip(";").strip()
        if before.strip():
            return False
        return not after or any(after.startswith(p) for p in comment_prefixes)

    def removal_fix(
        self,
        statement: ts.Node,
        description: str,
        containers: frozenset[str],
        comment_prefixes: tuple[str, ...] = ("//",),
    ) -> Fix | None:
        """Delete a statement that sits alone on its lines inside an ordinary block.

        In Python a block cannot be empty, so its only statement becomes ``pass``.
        """
        parent = statement.parent
        if parent is None or parent.type not in containers:
            return None
        if not self.whole_lines(statement, comment_prefixes):
            return None
        first, last = statement.start_point[0] + 1, statement.end_point[0] + 1
        replacement = ""
        if self.language == "python" and parent.type == "block":
            siblings = [c for c in parent.named_children if c.type != "comment"]
            if len(siblings) == 1:
                indent = self.line(first)[: self.col(statement.start_point)]
                replacement = f"{indent}pass\n"
        return Fix(description, (TextEdit(Span.lines(first, last), replacement),))


def nodes_of(
    root: ts.Node, types: frozenset[str] | set[str], rows: tuple[int, int] | None = None
) -> Iterator[ts.Node]:
    """Named descendants of ``root`` (itself included) whose type is in ``types``.

    With ``rows`` (0-based, inclusive), subtrees wholly outside those rows are not entered.
    """
    stack = [root]
    while stack:
        node = stack.pop()
        if rows is not None and (node.end_point[0] < rows[0] or node.start_point[0] > rows[1]):
            continue
        if node.type in types:
            yield node
        stack.extend(node.named_children)


def _size(span: Span) -> int:
    return span.end_line - span.start_line


def replace_fix(ctx: CheckContext, node: ts.Node, new_text: str, description: str) -> Fix:
    """A fix that replaces exactly ``node``'s text."""
    return Fix(description, (TextEdit(ctx.span(node), new_text),))
