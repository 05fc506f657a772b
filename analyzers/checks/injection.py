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
from dataclasses import dataclass, field

import tree_sitter as ts
from tactful.analyzers.checks.base import (
    CALLABLE_NODES,
    JS_LIKE,
    CheckContext,
    Hit,
    Rule,
    RuleInfo,
    nodes_of,
)
from tactful.analyzers.model import Fix, Location, Severity, Span, TextEdit

LANGUAGES = ("python", *JS_LIKE, "go", "java", "csharp", "ruby", "php")

SQL_METHODS = frozenset(
    {
        "execute",
        "executemany",
        "raw",
        "query",
        "Query",
        "QueryRow",
        "QueryContext",
        "QueryRowContext",
        "Exec",
        "ExecContext",
        "Select",
        "Get",
        "executeQuery",
        "executeUpdate",
        "executeLargeUpdate",
        "addBatch",
        "prepareStatement",
        "prepare",
        "Prepare",
        "createQuery",
        "createNativeQuery",
        "createSQLQuery",
        "find_by_sql",
        "exec_query",
        "select_all",
        "select_one",
        "select_value",
        "ExecuteSqlRaw",
        "FromSqlRaw",
        "ExecuteSqlCommand",
        "mysqli_query",
        "pg_query",
        "exec",
        "execute_sql",
        "executescript",
        "execute_query",
        "raw_query",
        "SqlCommand",
        "MySqlCommand",
        "NpgsqlCommand",
        "SqliteCommand",
        "OleDbCommand",
        "text",
    }
)
# Names that always run shell text (no `shell=True` needed).
SHELL_CALLS = frozenset(
    {
        "os.system",
        "os.popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "commands.getoutput",
        "shell_exec",
        "passthru",
        "popen",
        "proc_open",
        "IO.popen",
        "Open3.capture2",
        "Open3.capture3",
        "Open3.capture2e",
        "Open3.popen3",
        "Kernel.system",
    }
)
SUBPROCESS_SHELL = frozenset({"run", "call", "check_call", "check_output", "Popen"})
JS_SHELL = frozenset({"exec", "execSync"})
JS_SHELL_OWNERS = frozenset({"child_process", "cp", "childProcess", "proc"})
RUBY_PHP_SHELL = frozenset({"system", "exec", "spawn"})
SAFE_CALLS = frozenset(
    {
        "shlex.quote",
        "pipes.quote",
        "quote",
        "escapeshellarg",
        "escapeshellcmd",
        "int",
        "float",
        "len",
        "str(int",
        "mysqli_real_escape_string",
        "real_escape_string",
        "Shellwords.escape",
        "shellescape",
        "strconv.Itoa",
        "Integer.parseInt",
        "intval",
        "to_i",
        "sql.Identifier",
        "quote_ident",
        "quote_identifier",
        "quote_name",
        "escape",
        "mysql_real_escape_string",
        "pg_escape_string",
    }
)
FORMAT_CALLS = frozenset(
    {
        "fmt.Sprintf",
        "String.format",
        "string.Format",
        "String.Format",
        "sprintf",
        "format",
        "Kernel.format",
    }
)
SQL_WORDS = re.compile(
    r"\b(?:select|insert|update|delete|replace|create|drop|alter|truncate|merge)\b", re.IGNORECASE
)
SQL_SHAPE = re.compile(r"\b(?:from|into|set|where|table|values)\b", re.IGNORECASE)
# A statement keyword at the very start: `USE db`, `SET NAMES`, `LISTEN ch` have no FROM/WHERE.
SQL_STATEMENT = re.compile(
    r"^\s{0,8}(?:select|insert|update|delete|with|set|use|listen|notify|unlisten|copy|show|grant|revoke|create|"
    r"drop|alter|truncate|pragma|attach|explain|lock|savepoint|vacuum|analyze|merge|replace|call)\s",
    re.IGNORECASE,
)
# Driver methods named for what they run: ExecSimpleQuery, rawQuery, execSQL, runStatement.
SQL_SINK_NAME = re.compile(
    r"^(?:exec|execute|run|raw|do|simple)\w{0,30}(?:query|sql|statement)$", re.IGNORECASE
)
CONSTANT = re.compile(r"^(?:[\w.]{0,80}\.)?[A-Z][A-Z0-9_]{0,80}$")
PLACEHOLDER_PIECE = re.compile(r"""["'](?:\?|%s|\$\d{1,3})["']""")

STRING_TYPES = frozenset(
    {
        "string",
        "template_string",
        "interpreted_string_literal",
        "raw_string_literal",
        "string_literal",
        "verbatim_string_literal",
        "interpolated_string_expression",
        "encapsed_string",
        "heredoc",
        "nowdoc",
        "subshell",
        "shell_command_expression",
        "text_block",
        "string_value",
    }
)
LITERAL_PIECES = frozenset(
    {
        "string_content",
        "string_fragment",
        "escape_sequence",
        "string_start",
        "string_end",
        "interpreted_string_literal_content",
        "raw_string_literal_content",
        "string_literal_content",
        "interpolation_start",
        "interpolation_brace",
        "heredoc_start",
        "heredoc_end",
        "heredoc_body",
        "multiline_string_fragment",
        "nowdoc_string",
        "escape_interpolation",
    }
)
NUMBERS = frozenset(
    {
        "integer",
        "float",
        "number",
        "int_literal",
        "float_literal",
        "decimal_integer_literal",
        "integer_literal",
        "real_literal",
    }
)
CONCAT_TYPES = frozenset({"binary_operator", "binary_expression", "binary"})
ASSIGNMENTS: dict[str, tuple[str, str]] = {
    "assignment": ("left", "right"),
    "augmented_assignment": ("left", "right"),
    "assignment_expression": ("left", "right"),
    "augmented_assignment_expression": ("left", "right"),
    "operator_assignment": ("left", "right"),
    "variable_declarator": ("name", "value"),
    "short_var_declaration": ("left", "right"),
    "assignment_statement": ("left", "right"),
    "var_spec": ("name", "value"),
}
FUNCTIONS = CALLABLE_NODES | {"module", "program", "source_file"}
"""A file's top level is a scope too: a query built and run there."""


@dataclass
class Built:
    """A string built from pieces: its literal text and the dynamic pieces that matter."""

    literal: str = ""
    pieces: list[ts.Node] = field(default_factory=list)
    nodes: list[ts.Node] = field(default_factory=list)
    """Where it was built (the expression, or the assignments that built it)."""


def _text(node: ts.Node | None) -> str:
    return (node.text or b"").decode("utf-8", errors="replace") if node is not None else ""


def _callee(node: ts.Node) -> str:
    """Dotted name of what ``node`` calls (``cursor.execute``, ``Runtime.getRuntime().exec``)."""
    if node.type == "method_invocation":
        obj, name = node.child_by_field_name("object"), node.child_by_field_name("name")
        return f"{_text(obj)}.{_text(name)}" if obj is not None else _text(name)
    if node.type == "member_call_expression":
        return (
            f"{_text(node.child_by_field_name('object'))}.{_text(node.child_by_field_name('name'))}"
        )
    if node.type == "object_creation_expression":
        return _text(node.child_by_field_name("type"))
    if node.type == "call" and node.child_by_field_name("method") is not None:
        receiver = node.child_by_field_name("receiver")
        method = _text(node.child_by_field_name("method"))
        return f"{_text(receiver)}.{method}" if receiver is not None else method
    return _text(node.child_by_field_name("function"))


def _arguments(node: ts.Node) -> tuple[list[ts.Node], dict[str, ts.Node]]:
    """Positional arguments (unwrapped) and keyword arguments of a call."""
    holder = node.child_by_field_name("arguments")
    if holder is None:
        return [], {}
    positional: list[ts.Node] = []
    keywords: dict[str, ts.Node] = {}
    for child in holder.named_children:
        if child.type == "keyword_argument":
            value = child.child_by_field_name("value")
            if value is not None:
                keywords[_text(child.child_by_field_name("name"))] = value
            continue
        if child.type == "argument" and child.named_child_count:
            child = child.named_children[-1]
        if child.type != "comment":
            positional.append(child)
    return positional, keywords


def _safe_piece(node: ts.Node) -> bool:
    text = _text(node)
    if node.type in NUMBERS or CONSTANT.match(text.strip("{}$ ")):
        return True
    if PLACEHOLDER_PIECE.search(text):
        return True  # ", ".join(["%s"] * len(ids)): a list of placeholders
    inner = node
    while inner.type in ("interpolation", "template_substitution") and inner.named_child_count:
        inner = inner.named_children[0]
    if inner.type in (
        "call",
        "call_expression",
        "function_call_expression",
        "method_invocation",
        "invocation_expression",
    ):
        name = _callee(inner)
        return any(name == s or name.endswith("." + s) or name.startswith(s) for s in SAFE_CALLS)
    return False


def _string_pieces(node: ts.Node, built: Built) -> bool:
    """Add a string literal's text and interpolations to ``built``; False if ``node`` is no string."""
    if node.type not in STRING_TYPES:
        return False
    for child in node.named_children:
        if child.type in LITERAL_PIECES:
            built.literal += _text(child)
        elif child.type not in (
            "comment",
            "format_specifier",
            "type_conversion",
        ) and not _safe_piece(child):
            built.pieces.append(child)  # an interpolation, or a PHP "$var" inside the string
    if not node.named_child_count:
        built.literal += _text(node)
    return True


def build(node: ts.Node, built: Built, depth: int = 0) -> bool:
    """Follow a string-building expression; False when it is not one (an identifier, a call...)."""
    if depth > 40:
        return False
    if node.type in ("parenthesized_expression",) and node.named_child_count == 1:
        return build(node.named_children[0], built, depth + 1)
    if _string_pieces(node, built):
        return True
    if node.type == "concatenated_string":
        return all(build(c, built, depth + 1) for c in node.named_children)
    if node.type in CONCAT_TYPES:
        operator = _text(node.child_by_field_name("operator"))
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None or operator not in ("+", ".", "%"):
            return False
        if operator == "%":  # Python printf-style formatting of a string literal
            if not build(left, built, depth + 1):
                return False
            values = right.named_children if right.type == "tuple" else [right]
            built.pieces.extend(v for v in values if not _safe_piece(v))
            return True
        found = False
        for side in (left, right):
            if build(side, built, depth + 1):
                found = True
            elif not _safe_piece(side):
                built.pieces.append(side)
        return found
    if node.type in (
        "call",
        "call_expression",
        "function_call_expression",
        "invocation_expression",
        "method_invocation",
    ):
        name = _callee(node)
        args, _ = _arguments(node)
        if name in FORMAT_CALLS or name.endswith(".Sprintf") and args:
            if not args or not build(args[0], built, depth + 1):
                return False
            built.pieces.extend(a for a in args[1:] if not _safe_piece(a))
            return True
        if name.endswith(".format") and node.type == "call":  # "...{}".format(x)
            function = node.child_by_field_name("function")
            target = function.child_by_field_name("object") if function is not None else None
            if target is None or not build(target, built, depth + 1):
                return False
            built.pieces.extend(a for a in args if not _safe_piece(a))
            return True
    return False


def _enclosing_scope(node: ts.Node) -> ts.Node:
    current = node.parent
    while current is not None and current.type not in FUNCTIONS:
        current = current.parent
    return current if current is not None else node


def _resolve(ctx: CheckContext, name: ts.Node, call: ts.Node) -> Built | None:
    """What the local variable ``name`` was built from before ``call`` in the same function."""
    scope = _enclosing_scope(call)
    if (
        scope.type in ("module", "program", "source_file")
        and scope.end_point[0] - scope.start_point[0] > 400
    ):
        return None  # a module-level call in a big file: not worth a whole-file walk
    wanted = _text(name).lstrip("$")
    built = Built()
    found = False
    stack = [scope]
    while stack:
        node = stack.pop()
        if node.start_byte >= call.start_byte:
            continue
        fields = ASSIGNMENTS.get(node.type)
        if fields is not None:
            left, right = node.child_by_field_name(fields[0]), node.child_by_field_name(fields[1])
            if left is not None and right is not None:
                if left.type == "expression_list" and left.named_child_count == 1:
                    left = left.named_children[0]
                if right.type == "expression_list" and right.named_child_count == 1:
                    right = right.named_children[0]
                if _text(left).lstrip("$") == wanted:
                    if build(right, built, 0):
                        found = True
                        built.nodes.append(node)
                    elif node.type in (
                        "assignment",
                        "variable_declarator",
                        "short_var_declaration",
                        "assignment_expression",
                        "var_spec",
                    ) and not _safe_piece(right):
                        built.pieces.append(right)
                        built.nodes.append(node)
        if node.type in FUNCTIONS and node is not scope:
            continue
        stack.extend(node.named_children)
    return built if found else None


def _text_argument(ctx: CheckContext, call: ts.Node, args: list[ts.Node]) -> Built | None:
    """The first argument that is (or was assigned) a built string."""
    for arg in args:
        built = Built(nodes=[arg])
        if build(arg, built):
            return built
        if arg.type in ("identifier", "variable_name"):
            resolved = _resolve(ctx, arg, call)
            if resolved is not None:
                return resolved
    return None


def _sink(
    ctx: CheckContext, call: ts.Node, name: str, args: list[ts.Node], keywords: dict[str, ts.Node]
) -> str | None:
    """``"sql"``, ``"shell"`` or None for a call that does not run text."""
    last = name.rsplit(".", 1)[-1].rsplit("->", 1)[-1]
    if call.type in ("subshell", "shell_command_expression"):
        return "shell"
    if name in SHELL_CALLS or last in ("shell_exec", "passthru", "proc_open"):
        return "shell"
    if ctx.language == "python" and name.startswith("subprocess.") and last in SUBPROCESS_SHELL:
        shell = keywords.get("shell")
        return "shell" if shell is not None and _text(shell) == "True" else None
    if ctx.language in JS_LIKE and last in JS_SHELL:
        owner = name.rsplit(".", 1)[0] if "." in name else ""
        return "shell" if owner in JS_SHELL_OWNERS or not owner else None
    if ctx.language == "java" and name.endswith("getRuntime().exec"):
        return "shell"
    if ctx.language in ("ruby", "php") and name in RUBY_PHP_SHELL and len(args) == 1:
        return "shell"  # one string argument goes through the shell
    if ctx.language == "go" and name in ("exec.Command", "exec.CommandContext"):
        texts = [_text(a).strip('"`') for a in args]
        return (
            "shell"
            if "-c" in texts and any(t in ("sh", "bash", "/bin/sh", "/bin/bash") for t in texts)
            else None
        )
    if last in SQL_METHODS or SQL_SINK_NAME.match(last):
        return "sql"
    return None


def reads_as_sql(literal: str) -> bool:
    """The literal text of a built string reads as SQL: a statement keyword and a clause, or a
    statement keyword at its very start."""
    start = STRING_OPENING.sub("", literal.lstrip(), count=1)  # a Python literal keeps its `f"`
    return bool(
        SQL_WORDS.search(literal) and SQL_SHAPE.search(literal) or SQL_STATEMENT.match(start)
    )


STRING_OPENING = re.compile(r"^[fFrRbBuU]{0,2}[\"'`]{1,3}")


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


CALL_TYPES = frozenset(
    {
        "call",
        "call_expression",
        "method_invocation",
        "invocation_expression",
        "object_creation_expression",
        "subshell",
        "function_call_expression",
        "member_call_expression",
        "shell_command_expression",
    }
)


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


# ----------------------------------------------------------------------------- removed escaping

SANITISER_CALLS = CALL_TYPES | {"scoped_call_expression", "macro_invocation"}
NAME_WORDS = re.compile(r"[A-Z]{2,30}(?![a-z])|[A-Z]?[a-z]{1,40}|\d{1,10}")
LITERAL_ARGUMENTS = (
    STRING_TYPES | NUMBERS | {"true", "false", "null", "nil", "none", "None", "boolean"}
)
SANITISER_LANGUAGES = (*LANGUAGES, "c", "cpp", "rust")


def _call_name(node: ts.Node) -> str:
    """Last name of what ``node`` calls (``QuoteIdentifier``, ``escapeshellcmd``, ``isShellSafe``)."""
    for field_name in ("name", "method", "function", "macro", "type"):
        target = node.child_by_field_name(field_name)
        if target is not None:
            return re.split(r"\.|->|::", _text(target))[-1].strip()
    return ""


def is_sanitiser(name: str) -> bool:
    """Names that escape, quote or vet text for a query or a shell (``escapeStringQuotes``,
    ``QuoteIdentifier``, ``shlex.quote``, ``isShellSafe``), not their inverses."""
    words = [w.lower() for w in NAME_WORDS.findall(name)]
    if not words or words[0] in (
        "un",
        "de",
        "get",
        "has",
        "is_not",
        "strip",
        "remove",
        "parse",
        "count",
    ):
        return bool(words) and words[0] == "is" and words[-1] == "safe"
    if words[0] == "is" and words[-1] == "safe":
        return True
    return any(
        w.startswith(("escape", "quote", "sanitiz", "sanitis")) and not w.startswith("quoted")
        for w in words
    )


def _escaped_value(call: ts.Node) -> str:
    """The value a sanitiser call escapes: its last argument that is a name, not a literal."""
    args, _ = _arguments(call)
    names = [
        a
        for a in args
        if a.type not in LITERAL_ARGUMENTS and "(" not in _text(a) and len(_text(a)) <= 60
    ]
    return _text(names[-1]).strip() if names else ""


def _uses(text: str, value: str) -> re.Match[str] | None:
    return re.search(r"(?<![\w$>.])" + re.escape(value) + r"(?![\w(])", text)


def find_removed_escaping(ctx: CheckContext) -> Iterator[Hit]:
    """A hunk drops an escaping or vetting call on a value that its new lines still use raw."""
    old_tree = ctx.old_tree
    if ctx.tree is None or old_tree is None or ctx.is_test_file:
        return
    for hunk in ctx.file.hunks:
        if not hunk.removed or not hunk.added:
            continue
        dropped: dict[str, str] = {}
        for row in sorted(hunk.removed):
            for call in nodes_of(old_tree.root_node, SANITISER_CALLS, (row - 1, row - 1)):
                if call.start_point[0] != row - 1 or not is_sanitiser(name := _call_name(call)):
                    continue
                value = _escaped_value(call)
                if value and not value.isupper():
                    dropped.setdefault(value, name)
        if not dropped:
            continue
        kept = {
            _escaped_value(call)
            for call in nodes_of(
                ctx.tree.root_node,
                SANITISER_CALLS,
                (hunk.new_start - 1, hunk.new_start + hunk.new_count),
            )
            if is_sanitiser(_call_name(call))
        }
        for value, name in dropped.items():
            if value in kept:
                continue  # still escaped in this hunk, by the same or another call
            for number in hunk.added:
                line = ctx.line(number)
                found = _uses(line, value)
                if found is None or any(
                    is_sanitiser(w) for w in re.findall(r"\w{3,60}(?=\s{0,2}\()", line)
                ):
                    continue
                start, end = ctx.col((number - 1, len(line[: found.start()].encode("utf-8")))), None
                end = start + len(value)
                yield Hit(
                    Span(number, start, number, end),
                    f"The old code passed `{value}` through `{name}` before using it; this change uses it "
                    "as it is, so quotes or special characters in it now reach the query, command or page unescaped.",
                    f"{name}({value})",
                    confidence=0.6,
                )
                break


IDENTIFIER_SLOT = re.compile(
    r"(?:\b(?:from|join|into|update|table|exists|use|listen|notify|unlisten|copy|truncate|database|schema)\s{1,4}[`\"\[]?|[`\"])"
    r"(?:%s|%\(\w{1,40}\)s|\{[^{}]{0,60}\}|\$\{[^{}]{0,60}\}|#\{[^{}]{0,60}\})",
    re.IGNORECASE,
)


def _identifiers_only(built: Built) -> bool:
    """Every dynamic piece sits where a table or column name goes (``FROM {table}``, `` `%s` ``)."""
    source = " ".join(_text(n) for n in built.nodes)
    return len(IDENTIFIER_SLOT.findall(source)) >= len(built.pieces)


PY_SIMPLE_PIECE = re.compile(r"^\{([A-Za-z_][\w.]{0,60})\}$")
PY_FIELD = re.compile(r"(['\"]?)\{([A-Za-z_][\w.]{0,60})\}\1")
QMARK_DRIVERS = ("sqlite3", "aiosqlite", "pyodbc", "duckdb")
FORMAT_DRIVERS = (
    "psycopg",
    "psycopg2",
    "pymysql",
    "MySQLdb",
    "mysql.connector",
    "aiomysql",
    "asyncpg",
)


def _placeholder(ctx: CheckContext) -> str | None:
    imports = {
        m.group(1)
        for m in re.finditer(r"^\s{0,8}(?:import|from)\s{1,4}([\w.]{1,60})", ctx.text, re.MULTILINE)
    }
    roots = {i.split(".")[0] for i in imports} | imports
    qmark = any(d in roots for d in QMARK_DRIVERS)
    pyformat = any(d in roots for d in FORMAT_DRIVERS if d != "asyncpg")
    if qmark == pyformat:
        return None  # unknown or mixed drivers: the placeholder style is a guess
    return "?" if qmark else "%s"


def _parameterise(ctx: CheckContext, call: ts.Node, args: list[ts.Node]) -> Fix | None:
    """``cur.execute(f"... {x} ...")`` -> ``cur.execute("... ? ...", (x,))`` for plain pieces."""
    if ctx.language != "python" or len(args) != 1 or args[0].type != "string":
        return None
    literal = args[0]
    raw = _text(literal)
    quote_at = next((i for i, ch in enumerate(raw) if ch in "'\""), -1)
    prefix = raw[:quote_at].lower()
    if quote_at < 0 or prefix not in ("f",) or "%" in raw or "{{" in raw:
        return None
    pieces = [c for c in literal.named_children if c.type == "interpolation"]
    if not pieces or any(not PY_SIMPLE_PIECE.match(_text(p)) for p in pieces):
        return None
    style = _placeholder(ctx)
    if style is None:
        return None
    body = raw[quote_at:]
    names: list[str] = []

    def to_placeholder(match: re.Match[str]) -> str:
        names.append(match.group(2))
        return style

    new_body = PY_FIELD.sub(to_placeholder, body)
    if len(names) != len(pieces) or "{" in new_body:
        return None
    params = "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"
    return Fix(
        "Pass the values as query parameters",
        (TextEdit(ctx.span(literal), f"{new_body}, {params}"),),
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
