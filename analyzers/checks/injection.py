"""Injection: SQL or shell text built from dynamic pieces and handed to something that runs it.

A call is a sink when it executes SQL (``execute``, ``query``, ``db.Query``, ``mysqli_query``,
``SqlCommand``...) or a shell command (``os.system``, ``subprocess.*(shell=True)``,
``child_process.exec``, ``Runtime.exec``, ``system``/backticks...). Its text argument is
dynamic when it is an f-string, a template or interpolated string, a concatenation, ``%``,
``.format``, ``Sprintf``/``String.format`` with a non-constant piece, directly or through a
local variable assigned earlier in the same function. Pieces that are quoted
(``shlex.quote``, ``escapeshellarg``), numeric conversions, upper-case constants or
placeholder lists do not count. SQL sinks with generic names (``query``, ``execute``) fire
only when the literal text reads as SQL. The only fix offered turns a Python f-string with
plain ``{name}`` pieces into a parameterised DB-API call, when the driver's placeholder
style is known from the file's imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import (
    CheckContext,
    Hit,
    Rule,
    RuleInfo,
)
from tactful.analyzers.checks.injection_escaping import SANITISER_LANGUAGES, find_removed_escaping
from tactful.analyzers.checks.injection_fix import _identifiers_only, _parameterise
from tactful.analyzers.checks.injection_text import (
    Built,
    _arguments,
    _callee,
    _enclosing_scope,
    _sink,
    _string_pieces,
    _text,
    _text_argument,
    build,
    reads_as_sql,
)
from tactful.analyzers.checks.injection_words import ASSIGNMENTS, CALL_TYPES, FUNCTIONS, LANGUAGES
from tactful.analyzers.model import Location, Severity, Span


def _go_shell_argument(args: list[ts.Node]) -> list[ts.Node]:
    texts = [_text(a).strip('"`') for a in args]
    return args[texts.index("-c") + 1 :] if "-c" in texts else args


def _changed(ctx: CheckContext, nodes: list[ts.Node]) -> bool:
    return any(
        any(ctx.is_added(line) for line in range(n.start_point[0] + 1, n.end_point[0] + 2))
        for n in nodes
    )


def find_sql_injection(ctx: CheckContext) -> Iterator[Hit]:
    return _injections(ctx, "sql")


def find_shell_injection(ctx: CheckContext) -> Iterator[Hit]:
    return _injections(ctx, "shell")


def _calls(ctx: CheckContext) -> Iterator[ts.Node]:
    """Calls touching the changed rows, then calls later in the functions that hold changed lines
    (a query string built on a changed line and run on an unchanged one)."""
    if ctx.tree is None or not ctx.added:
        return
    first_row, last_row = min(ctx.added) - 1, max(ctx.added) - 1
    for captures in ctx.touching("inj.call"):
        call = captures["inj.call"][0]
        if call.end_point[0] >= first_row and call.start_point[0] <= last_row:
            yield call  # touching() may hand back the whole file's matches once a rule needed them
    seen: set[int] = set()
    covered_until = -1
    for line in sorted(ctx.added):
        if line - 1 <= covered_until:
            continue  # inside a function already walked: one lookup per function, not per line
        text = ctx.line(line)
        column = len(text.encode("utf-8")) - len(text.lstrip().encode("utf-8"))
        node = ctx.tree.root_node.descendant_for_point_range((line - 1, column), (line - 1, column))
        scope = None if node is None else node if node.type in FUNCTIONS else _enclosing_scope(node)
        if (
            scope is None
            or scope.type in ("module", "program", "source_file")
            or scope.start_byte in seen
        ):
            continue
        seen.add(scope.start_byte)
        covered_until = scope.end_point[0]
        if scope.end_point[0] <= last_row:
            continue
        stack = [scope]
        while stack:
            current = stack.pop()
            if current.end_point[0] <= last_row:
                continue
            if current.type in CALL_TYPES and current.start_point[0] > last_row:
                yield current
            stack.extend(current.named_children)


def _injections(ctx: CheckContext, wanted: str) -> Iterator[Hit]:
    reported: set[tuple[int, int]] = set()  # one string run by two calls (if/else) is one finding
    rows: set[int] = set()  # rows a finding already covers
    yield from _sink_injections(ctx, wanted, reported, rows)
    if wanted == "sql":
        yield from _placeholder_replaced(ctx, rows)
        yield from _quoted_values(ctx, rows)


def _sink_injections(
    ctx: CheckContext, wanted: str, reported: set[tuple[int, int]], rows: set[int]
) -> Iterator[Hit]:
    for call in _calls(ctx):
        name = _callee(call)
        args, keywords = _arguments(call)
        kind = _sink(ctx, call, name, args, keywords)
        if kind != wanted:
            continue
        if call.type in ("subshell", "shell_command_expression"):
            shell_text = Built(nodes=[call])
            built: Built | None = shell_text if _string_pieces(call, shell_text) else None
        else:
            if ctx.language == "go" and kind == "shell":
                args = _go_shell_argument(args)
            built = _text_argument(ctx, call, args)
        if built is None or not built.pieces:
            continue
        if kind == "sql" and not reads_as_sql(built.literal):
            continue  # a `query()` that is not SQL (GraphQL, a search API, a regex)
        if all(_literal_loop_value(piece) for piece in built.pieces):
            continue  # `for table in ('a', 'b'): execute('DROP TABLE %s' % table)`: constants
        if not (ctx.is_added(call.start_point[0] + 1) or _changed(ctx, built.nodes)):
            continue
        # The last piece: values usually follow the table names (`FROM {t} WHERE id = {i}`).
        piece = " ".join(_text(built.pieces[-1]).split())[:40]
        has_params = kind == "sql" and len(args) > 1
        confidence = 0.4 if has_params else None
        if kind == "sql" and _identifiers_only(built):
            # A table or column name cannot be a parameter; the risk is real but usually known.
            message = (
                f"This SQL splices `{piece}` in as a table or column name; make sure it can only be a "
                "known identifier (check it against a list, or quote it with the driver's identifier quoting)."
            )
            confidence = 0.3
        elif kind == "sql":
            message = (
                f"This SQL is built from `{piece}`; if that value can come from a user it is an SQL "
                "injection. Pass it as a query parameter instead."
            )
        else:
            message = (
                f"This shell command is built from `{piece}`; a value with spaces, quotes or `;` runs as "
                "commands. Pass an argument list without a shell, or quote the value."
            )
        rows.update(range(call.start_point[0], call.end_point[0] + 1))
        for node in built.nodes:
            rows.update(range(node.start_point[0], node.end_point[0] + 1))
        if ctx.is_added(call.start_point[0] + 1):
            yield Hit(
                ctx.span(call),
                message,
                " ".join(_text(call).split())[:200],
                fix=_parameterise(ctx, call, args)
                if kind == "sql" and confidence is None
                else None,
                confidence=confidence,
            )
            continue
        # Built on a changed line, run on an unchanged one: point at the building, relate the call.
        site = next(n for n in built.nodes if _changed(ctx, [n]))
        if (site.start_byte, site.end_byte) in reported:
            continue
        reported.add((site.start_byte, site.end_byte))
        yield Hit(
            ctx.span(site),
            message,
            " ".join(_text(site).split())[:200],
            confidence=confidence,
            related=(Location(ctx.path, ctx.span(call), "where it runs"),),
        )


_LOOPS = frozenset({"for_statement", "for_in_statement"})
_SEQUENCES = frozenset({"tuple", "list", "array"})
_STRINGS = frozenset({"string", "string_literal", "template_string"})


def _literal_loop_value(piece: ts.Node) -> bool:
    """``piece`` is the variable of an enclosing ``for`` over a literal list of plain strings."""
    if piece.type in ("interpolation", "template_substitution") and piece.named_child_count:
        piece = piece.named_children[0]
    if piece.type != "identifier":
        return False
    name, current = _text(piece), piece.parent
    while current is not None:
        if current.type in _LOOPS:
            left, right = current.child_by_field_name("left"), current.child_by_field_name("right")
            if left is not None and right is not None and _text(left) == name:
                return right.type in _SEQUENCES and all(
                    c.type in _STRINGS and not any(i.type in ("interpolation", "template_substitution")
                                                   for i in c.named_children)
                    for c in right.named_children if "comment" not in c.type
                )  # fmt: skip
        current = current.parent
    return False


# A value pasted between SQL quotes: `'${name}'`, `'{}'`, `'%s'`, `'" + name + "'`, `'$name'`, `'#{name}'`.
QUOTED_SLOT = re.compile(
    r"""(?:=|<>|!=|\blike|\bvalues[ ]{0,2}\(|,|\bin[ ]{0,2}\()[ ]{0,3}'(?:\$\{[^{}'\n]{1,60}\}|#\{[^{}'\n]{1,60}\}|\{[\w.]{0,60}\}|%s|%\(\w{1,40}\)s|\$\w{1,40}|"""
    r"""["'][ ]{0,2}(?:\+|\.)[^'"\n]{1,80}(?:\+|\.)[ ]{0,2}["'])'""",
    re.IGNORECASE,
)
SQL_CLAUSE = re.compile(r"\b(?:from|into|where|values|set)\b", re.IGNORECASE)


# A bound parameter in a query string: `= ?`, `= %s`, `= $1`, `= :name`.
PLACEHOLDER_SLOT = re.compile(
    r"(?:=|<>|!=|\blike|\bin[ ]{0,2}\(|\bvalues[ ]{0,2}\(|,)[ ]{0,3}(?:\?|%s|\$\d{1,3}|:[a-z_]\w{0,40})(?!\w)",
    re.IGNORECASE,
)


def _placeholder_replaced(ctx: CheckContext, rows: set[int]) -> Iterator[Hit]:
    """A hunk removes a bound parameter (`= ?`) and adds a value pasted between quotes (`= '{}'`)."""
    for hunk in ctx.file.hunks:
        if not hunk.removed or not any(
            PLACEHOLDER_SLOT.search(ctx.old_line(n)) for n in hunk.removed
        ):
            continue
        for number in hunk.added:
            line = ctx.line(number)
            match = QUOTED_SLOT.search(line) if number - 1 not in rows and "'" in line else None
            if match is None:
                continue
            rows.add(number - 1)
            start = len(line) - len(line.lstrip())
            yield Hit(
                Span(number, start, number, len(line.rstrip())),
                "The old code bound this value as a query parameter; the change pastes it between quotes "
                "instead, so a quote in the value breaks out of the string (SQL injection). Keep the parameter.",
                line.strip()[:200],
                confidence=0.8,
            )


def _quoted_values(ctx: CheckContext, rows: set[int]) -> Iterator[Hit]:
    """SQL text assigned on a changed line with a value spliced between quotes: hand-quoting a
    value is the classic injection, whatever later runs the text."""
    if ctx.tree is None or not ctx.added:
        return
    wanted = {n - 1 for n in ctx.added if n - 1 not in rows and "'" in ctx.line(n)}
    if not wanted:
        return
    stack = [ctx.tree.root_node]
    assignments: list[ts.Node] = []
    while stack:
        node = stack.pop()
        if node.end_point[0] < min(wanted) or node.start_point[0] > max(wanted):
            continue
        if node.type in ASSIGNMENTS and node.start_point[0] in wanted:
            assignments.append(node)
            continue
        stack.extend(node.named_children)
    for node in sorted(assignments, key=lambda n: n.start_byte):
        right = node.child_by_field_name(ASSIGNMENTS[node.type][1])
        built = Built(nodes=[node])
        if (
            right is None
            or not build(right, built)
            or not built.pieces
            or not reads_as_sql(built.literal)
        ):
            continue
        if not SQL_CLAUSE.search(built.literal) or not QUOTED_SLOT.search(_text(right)):
            continue
        rows.update(range(node.start_point[0], node.end_point[0] + 1))
        piece = " ".join(_text(built.pieces[-1]).split())[:40]
        yield Hit(
            ctx.span(node),
            f"This SQL pastes `{piece}` between quotes by hand; a value with a quote in it breaks out "
            "of the string (SQL injection). Bind it as a query parameter instead.",
            " ".join(_text(node).split())[:200],
            confidence=0.7,
        )


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.escaping-removed",
            SANITISER_LANGUAGES,
            Severity.WARNING,
            "security",
            "an escaping, quoting or shell-safety call the change removed while the value is still used",
            False,
            0.6,
        ),
        find_removed_escaping,
    ),
    Rule(
        RuleInfo(
            "generic.sql-injection",
            LANGUAGES,
            Severity.ERROR,
            "security",
            "SQL built by concatenation, formatting or interpolation and passed to a query call",
            True,
            0.8,
        ),
        find_sql_injection,
    ),
    Rule(
        RuleInfo(
            "generic.shell-injection",
            LANGUAGES,
            Severity.ERROR,
            "security",
            "shell command text built from dynamic pieces and run through a shell",
            False,
            0.7,
        ),
        find_shell_injection,
    ),
)
