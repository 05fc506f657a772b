"""Swallowed errors: handlers that catch everything, or catch and do nothing.

Only the forms that hide failures are flagged. A handler that names a specific exception,
holds a comment explaining itself, or binds a variable named ``ignored``/``expected``/``_``
was written on purpose and is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import JS_LIKE, CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.model import Fix, Hunk, Severity, Span, TextEdit

BROAD_PY = frozenset({"Exception", "BaseException"})
BROAD_RUBY = frozenset({"Exception", "StandardError"})
INTENTIONAL_NAMES = frozenset({"ignored", "ignore", "expected", "_", "_e", "_err", "_error", "_ex"})


def _except_header(ctx: CheckContext, clause: ts.Node) -> tuple[Span, str]:
    """Span and text of ``except ...:`` (the clause up to its colon)."""
    colon = next((c for c in clause.children if c.type == ":"), None)
    end = colon if colon is not None else clause
    span = ctx.span(clause)
    end_span = ctx.span(end)
    header = Span(span.start_line, span.start_col, end_span.end_line, end_span.end_col)
    text = ctx.text_of(header)
    return header, text


def find_bare_except(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("py.except"):
        clause = captures["py.except"][0]
        if clause.child_by_field_name("value") is not None:
            continue
        keyword = clause.children[0]
        if keyword.type != "except":
            continue
        header, text = _except_header(ctx, clause)
        block = next((c for c in clause.named_children if c.type == "block"), None)
        if block is not None and _does_nothing(ctx, block):
            # `except Exception: pass` would still swallow every error: no fix removes that.
            yield Hit(
                header,
                "This bare `except:` silently drops every error, even KeyboardInterrupt and SystemExit; "
                "catch the specific exceptions you expect and handle or log them.",
                text,
            )
            continue
        fix = Fix("Catch Exception instead", (TextEdit(ctx.span(keyword), "except Exception"),))
        yield Hit(
            header,
            "A bare `except:` also catches KeyboardInterrupt and SystemExit; catch Exception "
            "(or something narrower) instead.",
            text,
            fix,
        )


def _does_nothing(ctx: CheckContext, block: ts.Node) -> bool:
    """The handler's body only passes, continues or breaks (comments allowed)."""
    statements = [s for s in block.named_children if s.type != "comment"]
    return all(
        s.type in ("pass_statement", "continue_statement", "break_statement")
        or (s.type == "expression_statement" and ctx.node_text(s).strip() == "...")
        for s in statements
    )


def _only_pass(ctx: CheckContext, block: ts.Node) -> bool:
    statements = block.named_children
    if not statements or any(s.type == "comment" for s in statements):
        return False
    for statement in statements:
        if statement.type == "pass_statement":
            continue
        if statement.type == "expression_statement" and ctx.node_text(statement).strip() == "...":
            continue
        return False
    return True


def find_swallowed_exception(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("py.except"):
        clause = captures["py.except"][0]
        value = clause.child_by_field_name("value")
        if value is None:
            continue  # a bare except is py.bare-except's finding
        caught = value.named_children[0] if value.type == "as_pattern" else value
        names = {n.strip("() ") for n in ctx.node_text(caught).split(",")}
        if not names & BROAD_PY:
            continue
        block = next((c for c in clause.named_children if c.type == "block"), None)
        if block is None or not _only_pass(ctx, block):
            continue
        header, text = _except_header(ctx, clause)
        if "#" in ctx.line(header.end_line)[header.end_col :]:
            continue  # a comment on the handler explains why
        yield Hit(
            header,
            "Every exception is caught and silently dropped here; log it, handle it, or catch "
            "only the exceptions you expect.",
            text,
        )


def _catch_variable(ctx: CheckContext, clause: ts.Node) -> str:
    for field in ("parameter", "name"):
        node = clause.child_by_field_name(field)
        if node is not None:
            return ctx.node_text(node).lstrip("$")
    for child in clause.named_children:
        if child.type in ("catch_formal_parameter", "catch_declaration"):
            name = child.child_by_field_name("name")
            if name is not None:
                return ctx.node_text(name)
    return ""


def find_empty_catch(ctx: CheckContext) -> Iterator[Hit]:
    reported: set[int] = set()
    for captures in ctx.captures("catch"):
        clause = captures["catch"][0]
        body = captures["body"][0]
        if body.named_child_count:  # statements or an explaining comment
            continue
        if any(child.type == "comment" for child in clause.named_children):
            continue  # `catch (...) // why` {}: the comment sits on the header
        if _catch_variable(ctx, clause) in INTENTIONAL_NAMES:
            continue
        reported.add(clause.start_byte)
        yield ctx.hit(
            clause,
            "This empty catch block silently swallows the error; handle it, log it, or say "
            "in a comment why it is safe to ignore.",
        )
    for clause in _catches_emptied(ctx):
        if clause.start_byte in reported or _catch_variable(ctx, clause) in INTENTIONAL_NAMES:
            continue
        reported.add(clause.start_byte)
        header = ctx.span(clause)
        first = ctx.line(header.start_line)[header.start_col :].rstrip()
        yield Hit(
            Span(
                header.start_line,
                header.start_col,
                header.start_line,
                header.start_col + len(first),
            ),
            "The change deletes everything this catch block did, so the error is now silently "
            "swallowed; handle it, log it, or let it propagate.",
            first,
            anchored_on_removal=True,
        )


CATCH_BODIES = frozenset({"statement_block", "block", "compound_statement"})


def _catches_emptied(ctx: CheckContext) -> Iterator[ts.Node]:
    """Catch clauses whose body the change emptied by deleting lines (no added line to point at)."""
    if ctx.tree is None or not ctx.file.removed_lines:
        return
    for hunk in ctx.file.hunks:
        new_line = hunk.new_start - 1
        for raw in hunk.lines:
            tag = raw[:1]
            if tag in (" ", "+"):
                new_line += 1
                continue
            if tag != "-" or new_line < 1:
                continue
            # The line before the deletion ends with the catch body's `{`.
            text = ctx.line(new_line).rstrip()
            if not text.endswith("{"):
                continue
            column = len(text.encode("utf-8")) - 1
            node = ctx.tree.root_node.descendant_for_point_range(
                (new_line - 1, column), (new_line - 1, column + 1)
            )
            body = node.parent if node is not None else None
            if body is None or body.type not in CATCH_BODIES or body.named_child_count:
                continue
            clause = body.parent
            if clause is not None and clause.type == "catch_clause" and ctx.file.removed_lines:
                yield clause


def find_print_stack_trace(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.all_captures("catch"):
        body = captures["body"][0]
        statements = body.named_children
        if len(statements) != 1 or statements[0].type != "expression_statement":
            continue
        call = statements[0].named_children[0] if statements[0].named_children else None
        if call is None or call.type != "method_invocation":
            continue
        name = call.child_by_field_name("name")
        if name is None or ctx.node_text(name) != "printStackTrace":
            continue
        if not ctx.is_added(statements[0].start_point[0] + 1):
            continue
        yield ctx.hit(
            statements[0],
            "Catching an exception only to print its stack trace hides the failure from callers; "
            "rethrow, handle it, or log it through the logger.",
        )


def find_ruby_rescue(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("ruby.rescue-nil"):
        node = captures["ruby.rescue-nil"][0]
        yield ctx.hit(
            node,
            "`rescue nil` turns every error here into nil; rescue the specific error you expect.",
        )
    for captures in ctx.captures("ruby.rescue"):
        node = captures["ruby.rescue"][0]
        if node.child_by_field_name("body") is not None:
            continue
        exceptions = node.child_by_field_name("exceptions")
        if exceptions is not None:
            names = {ctx.node_text(n) for n in exceptions.named_children}
            if not names <= BROAD_RUBY:
                continue
        if any(c.type == "comment" for c in node.children):
            continue
        yield ctx.hit(
            node,
            "This empty rescue swallows the error; handle it, log it, or narrow what it rescues.",
        )


def _handler_drops_error(ctx: CheckContext, handler: ts.Node) -> bool:
    """A promise handler that does nothing, or only returns null/undefined/nothing."""
    body = handler.child_by_field_name("body")
    if body is None:
        return False
    if body.type != "statement_block":
        return ctx.node_text(body).strip("() ") in ("null", "undefined", "void 0", "")
    statements = body.named_children
    if not statements:
        return True
    if any(s.type == "comment" for s in statements) or len(statements) != 1:
        return False
    only = statements[0]
    value = (
        only.named_children[0] if only.type == "return_statement" and only.named_children else None
    )
    return only.type == "return_statement" and (
        value is None or ctx.node_text(value) in ("null", "undefined")
    )


def find_swallowed_promise(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.touching("js.promise-catch"):
        call, handler = captures["js.promise-catch"][0], captures["handler"][0]
        prop = captures["_prop"][0]
        # A chain starts lines above its `.catch(...)`: the `.catch` line is what the change adds.
        if not ctx.is_added(prop.start_point[0] + 1) or not _handler_drops_error(ctx, handler):
            continue
        start = ctx.span(prop)
        end = ctx.span(call)
        header = Span(start.start_line, max(start.start_col - 1, 0), end.end_line, end.end_col)
        header_text = "." + ctx.text_of(
            Span(start.start_line, start.start_col, end.end_line, end.end_col)
        )
        yield Hit(
            header,
            "This .catch() turns every rejection into success with no trace; handle the error, "
            "log it, or let it reach the caller.",
            header_text,
        )


# Values a handler returns to pretend nothing failed.
DEFAULT_VALUES = frozenset(
    {
        "null",
        "None",
        "nil",
        "undefined",
        "false",
        "False",
        "0",
        "-1",
        '""',
        "''",
        "[]",
        "{}",
        "()",
        "default",
        "Optional.empty()",
        "Collections.emptyList()",
        "Collections.emptyMap()",
        "Collections.emptySet()",
        "List.of()",
        "Map.of()",
        "string.Empty",
        "String.Empty",
        "Array.Empty<T>()",
    }
)
FUNCTION_TYPES = frozenset(
    {
        "function_definition",
        "method_declaration",
        "constructor_declaration",
        "function_declaration",
        "method_definition",
        "local_function_statement",
    }
)
CATCH_TYPES = frozenset({"catch_clause", "except_clause"})


def _enclosing_function(node: ts.Node) -> ts.Node | None:
    current = node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        current = current.parent
    return current


def _function_name(ctx: CheckContext, function: ts.Node) -> str:
    name = function.child_by_field_name("name")
    return ctx.node_text(name) if name is not None else ""


def _old_function_catches(ctx: CheckContext, name: str) -> bool | None:
    """Whether the old file's functions called ``name`` caught anything (None: no such function)."""
    tree = ctx.old_tree
    if tree is None or not name:
        return None
    found: bool | None = None
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_TYPES:
            name_node = node.child_by_field_name("name")
            if name_node is not None and (name_node.text or b"").decode("utf-8", "replace") == name:
                found = bool(found) or _has_catch(node)
                continue
        stack.extend(node.named_children)
    return found


def _has_catch(node: ts.Node) -> bool:
    stack = list(node.named_children)
    while stack:
        current = stack.pop()
        if current.type in CATCH_TYPES:
            return True
        if current.type not in FUNCTION_TYPES:  # a nested function's handlers are its own
            stack.extend(current.named_children)
    return False


def _returns_default(ctx: CheckContext, body: ts.Node) -> str | None:
    """The default value when the handler's body is only ``return <default>``."""
    statements = [s for s in body.named_children]
    if len(statements) != 1 or statements[0].type != "return_statement":
        return None
    values = statements[0].named_children
    if not values:
        return "nothing"
    value = (
        values[0].named_children[0]
        if values[0].type == "expression_list" and values[0].named_child_count == 1
        else values[0]
    )
    text = " ".join(ctx.node_text(value).split())
    return (
        text
        if text in DEFAULT_VALUES or text.startswith("new ArrayList") or text.startswith("default(")
        else None
    )


def find_error_to_default(ctx: CheckContext) -> Iterator[Hit]:
    """A new handler that answers every error with a default value where the old code let it propagate."""
    if ctx.old_text is None:
        return
    capture = "py.except" if ctx.language == "python" else "catch"
    for captures in ctx.captures(capture):
        clause = captures[capture][0]
        if ctx.language == "python":
            body = next((c for c in clause.named_children if c.type == "block"), None)
            value = clause.child_by_field_name("value")
            caught = (
                value.named_children[0]
                if value is not None and value.type == "as_pattern"
                else value
            )
            if caught is None:
                continue  # a bare except is py.bare-except's finding: one comment per line
            names = {n.strip("() ") for n in ctx.node_text(caught).split(",")}
            if not names & BROAD_PY:
                continue  # `except KeyError: return None` is an ordinary lookup idiom
        else:
            body = captures["body"][0]
        if body is None or not ctx.is_added(body.start_point[0] + 1):
            continue
        default = _returns_default(ctx, body)
        function = _enclosing_function(clause)
        if default is None or function is None:
            continue
        if _old_function_catches(ctx, _function_name(ctx, function)) is not False:
            continue  # a new function, or the old one already handled errors
        span = ctx.span(clause)
        first_line = ctx.line(span.start_line)[span.start_col :].rstrip()
        yield Hit(
            Span(
                span.start_line, span.start_col, span.start_line, span.start_col + len(first_line)
            ),
            f"Errors used to propagate from {_function_name(ctx, function)}(); now every failure returns "
            f"{default}, so callers cannot tell it from a real result. Let it propagate, or log it.",
            first_line,
        )


def find_rust_discarded_result(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("rust.ok-discard"):
        call = captures["call"][0]
        if ctx.node_text(captures["_ok"][0]) != "ok" or captures["_args"][0].named_child_count:
            continue
        yield ctx.hit(
            call,
            "`.ok();` as a statement throws the error away without a word; handle it, propagate it with "
            "`?`, or write `let _ =` with a comment saying why it may fail.",
        )
    removed = [ctx.old_line(n) for n in sorted(ctx.removed)]
    if not removed:
        return
    for captures in ctx.captures("rust.let-discard"):
        if ctx.node_text(captures["_pattern"][0]) != "_":
            continue
        value = captures["value"][0]
        if value.type not in ("call_expression", "try_expression", "await_expression"):
            continue
        call_text = " ".join(ctx.node_text(value).split())
        # The old code checked this very call (`call()?`, `.unwrap()`, `match call()`).
        if not any(call_text in " ".join(line.split()) and _was_checked(line) for line in removed):
            continue
        yield ctx.hit(
            captures["rust.let-discard"][0],
            f"The old code checked the result of `{call_text[:60]}`; `let _ =` now discards its error silently.",
        )


def _was_checked(line: str) -> bool:
    return (
        "?" in line
        or ".unwrap()" in line
        or ".expect(" in line
        or "match " in line
        or "if let" in line
    )


# ----------------------------------------------------------------------------- handlers that stopped propagating

HANDLER_TYPES = frozenset({"except_clause", "catch_clause", "rescue"})
THROW_TYPES = frozenset({"raise_statement", "throw_statement", "throw_expression"})
RAISE_METHODS = frozenset({"raise", "fail"})
NESTED_FUNCTIONS = frozenset(
    {
        "function_definition",
        "lambda",
        "arrow_function",
        "function_expression",
        "function",
        "lambda_expression",
        "anonymous_function",
        "anonymous_function_creation_expression",
        "do_block",
    }
)
LOG_WORDS = (
    "log",
    "warn",
    "error",
    "print",
    "report",
    "reject",
    "fail",
    "abort",
    "emit",
    "fatal",
    "debug",
    "trace",
)


def _handler_body(handler: ts.Node) -> ts.Node | None:
    body = handler.child_by_field_name("body")
    if body is not None:
        return body
    return next(
        (c for c in handler.named_children if c.type in ("block", "then", "compound_statement")),
        None,
    )


def _handler_variable(ctx: CheckContext, handler: ts.Node) -> str:
    """The name the handler binds the error to ('' when it binds none)."""
    if handler.type == "except_clause":
        value = handler.child_by_field_name("value")
        alias = (
            value.child_by_field_name("alias")
            if value is not None and value.type == "as_pattern"
            else None
        )
        return ctx.node_text(alias).strip() if alias is not None else ""
    if handler.type == "rescue":
        variable = handler.child_by_field_name("variable")
        return ctx.node_text(variable).lstrip("=> ").strip() if variable is not None else ""
    parameters = handler.child_by_field_name("parameters")
    if parameters is not None:  # C++: catch (const std::exception& e)
        names = [n for n in _descendants(parameters) if n.type == "identifier"]
        return ctx.node_text(names[-1]) if names else ""
    return _catch_variable(ctx, handler)


def _descendants(node: ts.Node, skip_functions: bool = False) -> Iterator[ts.Node]:
    stack = list(node.named_children)
    while stack:
        current = stack.pop()
        yield current
        if skip_functions and current.type in NESTED_FUNCTIONS:
            continue
        stack.extend(current.named_children)


def _throws(ctx: CheckContext, body: ts.Node) -> bool:
    for node in _descendants(body, skip_functions=True):
        if node.type in THROW_TYPES:
            return True
        if node.type == "call":
            method = node.child_by_field_name("method") or node.child_by_field_name("function")
            if method is not None and ctx.node_text(method) in RAISE_METHODS:
                return True  # Ruby: `raise Error, "..."`
        elif (
            node.type == "identifier" and ctx.node_text(node) == "raise" and ctx.language == "ruby"
        ):
            return True  # Ruby: a bare `raise`
    return False


def _exits(body: ts.Node) -> bool:
    return any(
        n.type in ("return_statement", "return") for n in _descendants(body, skip_functions=True)
    )


def _in_condition(node: ts.Node, body: ts.Node) -> bool:
    current: ts.Node | None = node
    while current is not None and current != body:
        parent = current.parent
        if parent is not None and parent.child_by_field_name("condition") == current:
            return True
        current = parent
    return False


INSPECTING_CALLS = frozenset(
    {"str", "repr", "len", "type", "isinstance", "String", "getattr", "hasattr"}
)
MEMBER_TARGETS = frozenset(
    {
        "attribute",
        "member_expression",
        "field_access",
        "member_access_expression",
        "subscript",
        "subscript_expression",
        "member_access",
        "instance_variable",
        "element_reference",
    }
)


def _hands_on(ctx: CheckContext, node: ts.Node) -> bool:
    """This use of the error hands it to someone: a call, a return, a field, an object."""
    if node.type == "shorthand_property_identifier":
        return True
    parent = node.parent
    if parent is not None and parent.type == "argument":
        parent = parent.parent
    if parent is None:
        return False
    if parent.type in ("argument_list", "arguments"):
        call = parent.parent
        callee = call.child_by_field_name("function") if call is not None else None
        return callee is None or ctx.node_text(callee).rsplit(".", 1)[-1] not in INSPECTING_CALLS
    if parent.type in (
        "return_statement",
        "return",
        "yield",
        "pair",
        "keyword_argument",
        "array",
        "list",
    ):
        return True
    if parent.type in ("assignment", "assignment_expression", "assignment_statement"):
        left, right = parent.child_by_field_name("left"), parent.child_by_field_name("right")
        return right == node and left is not None and left.type in MEMBER_TARGETS
    return False


def _passes_on(ctx: CheckContext, body: ts.Node, variable: str) -> bool:
    """The handler hands its error on (to a call, a return, a field), outside a condition;
    reading it to decide (`arg = e.args[0]`, `if "x" in str(e)`) is not handing it on."""
    if not variable:
        return False
    return any(
        n.type in ("identifier", "name", "shorthand_property_identifier")
        and ctx.node_text(n) == variable
        and not _in_condition(n, body)
        and _hands_on(
            ctx,
            n.parent
            if n.type == "name" and n.parent is not None and n.parent.type == "variable_name"
            else n,
        )
        for n in _descendants(body, skip_functions=True)
    )


def _logs(ctx: CheckContext, body: ts.Node) -> bool:
    for node in _descendants(body, skip_functions=True):
        if node.type not in (
            "call",
            "call_expression",
            "method_invocation",
            "invocation_expression",
            "member_call_expression",
            "function_call_expression",
            "scoped_call_expression",
        ):
            continue
        callee = next(
            (
                node.child_by_field_name(f)
                for f in ("function", "name", "method")
                if node.child_by_field_name(f) is not None
            ),
            None,
        )
        if callee is not None and any(w in ctx.node_text(callee).lower() for w in LOG_WORDS):
            return True
    return False


def _handlers(root: ts.Node, first_row: int, last_row: int) -> list[ts.Node]:
    found: list[ts.Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.end_point[0] < first_row or node.start_point[0] > last_row:
            continue
        if node.type in HANDLER_TYPES and (node.type != "rescue" or node.parent is not None):
            found.append(node)
        stack.extend(node.named_children)
    return sorted(found, key=lambda n: n.start_byte)


def _contains_row(node: ts.Node, rows: Iterable[int]) -> bool:
    return any(node.start_point[0] <= row - 1 <= node.end_point[0] for row in rows)


def find_handler_stopped_propagating(ctx: CheckContext) -> Iterator[Hit]:
    """A handler that re-raised, passed its error on or stopped the work, and after the change
    does none of that, nor logs."""
    old_tree = ctx.old_tree
    if ctx.tree is None or old_tree is None or ctx.is_test_file:
        return
    for hunk in ctx.file.hunks:
        if not hunk.removed:
            continue
        old = _handlers(old_tree.root_node, hunk.old_start - 1, hunk.old_start + hunk.old_count - 2)
        new = _handlers(ctx.tree.root_node, hunk.new_start - 1, hunk.new_start + hunk.new_count - 2)
        if len(old) != len(new):
            continue  # handlers added or removed: no safe pairing
        for before, after in zip(old, new, strict=True):
            if not _contains_row(before, hunk.removed):
                continue
            old_body, new_body = _handler_body(before), _handler_body(after)
            if old_body is None:
                continue
            old_variable = _handler_variable(ctx, before)
            what = (
                "raised an error"
                if _throws(ctx, old_body)
                else "passed the error on"
                if _passes_on(ctx, old_body, old_variable)
                else "stopped the work here"
                if _exits(old_body)
                else ""
            )
            if not what:
                continue
            if new_body is not None and (
                _throws(ctx, new_body)
                or _passes_on(ctx, new_body, _handler_variable(ctx, after))
                or _logs(ctx, new_body)
                or what == "stopped the work here"
                and _exits(new_body)
            ):
                continue
            yield _handler_hit(
                ctx,
                after,
                hunk,
                f"This handler {what}; after the change it drops the error without a trace, so the caller "
                "carries on as if it worked. Re-raise it, return it, or at least log it.",
            )


def _handler_hit(ctx: CheckContext, handler: ts.Node, hunk: Hunk, message: str) -> Hit:
    """At the handler's header when the hunk shows it, else at its first line inside the hunk."""
    span = ctx.span(handler)
    first, last = hunk.new_start, hunk.new_start + hunk.new_count - 1
    added = [n for n in hunk.added if span.start_line <= n <= span.end_line]
    if first <= span.start_line <= last:
        number, column = span.start_line, span.start_col
    elif added:
        number = added[0]
        column = len(ctx.line(number)) - len(ctx.line(number).lstrip())
    else:
        number = max(first, span.start_line)
        column = len(ctx.line(number)) - len(ctx.line(number).lstrip())
    text = ctx.line(number)[column:].rstrip()
    return Hit(
        Span(number, column, number, column + len(text)),
        message,
        text,
        anchored_on_removal=not ctx.is_added(number),
        confidence=0.7,
    )


# ----------------------------------------------------------------------------- results no longer checked

# An added statement that only calls something: `f(x);`, `_ = f(x)`, or Rust's `f(x).unwrap_or(d)`.
BARE_CALL = re.compile(
    r"^(?:_[ \t]{0,4}(?:,[ \t]{0,4}_[ \t]{0,4})?=[ \t]{0,4})?(?P<call>[\w.:>$-]{1,120}\(.{0,300}\))[ \t]{0,4};?$"
)
RUST_DEFAULTED = re.compile(
    r"^(?:let[ \t]{1,4}(?:mut[ \t]{1,4})?\w{1,60}[ \t]{0,4}(?::[^=]{1,60})?=[ \t]{0,4})?(?P<call>[\w.:]{1,120}\(.{0,200}?\))\.(?:unwrap_or(?:_default|_else)?\(|ok\(\))"
)
# What may stand between `if` and the call when the condition tests the call's result:
# `if (!f(`, `if not f(`, `if err := f(`, `if ($ok = f(`.
CHECK_PREFIX = re.compile(
    r"^(?:\}[ ]{0,4}else[ ]{1,4})?(?:if|unless|while|elsif|elseif|else[ ]{1,4}if)[ ]{0,4}\(?[ ]{0,4}(?:!|not[ ]{1,4})?"
    r"[ ]{0,4}\(?[ ]{0,4}(?:[\w$]{1,40}(?:[ ]{0,4},[ ]{0,4}[\w$]{1,40})?[ ]{0,4}:?=[ ]{0,4})?$"
)
ASSIGNED = re.compile(
    r"^(?:(?:var|let|const|auto)[ ]{1,4})?(?P<names>[\w$]{1,40}(?:[ ]{0,4},[ ]{0,4}[\w$]{1,40})?)[ ]{0,4}:?=[ ]{0,4}$"
)


def _checked_before(removed: list[str], call: str, language: str | None) -> bool:
    """A removed line tested what ``call`` returned: in an `if` condition, through a variable the
    next removed line tests (`err := f()` / `if err != nil`), or with Rust's `?`."""
    lines = [" ".join(line.split()) for line in removed]
    for index, line in enumerate(lines):
        at = line.find(call)
        if at < 0:
            continue
        before, following = line[:at], lines[index + 1] if index + 1 < len(lines) else ""
        if CHECK_PREFIX.match(before):
            return True
        if (
            language == "rust"
            and "?" in (line[at + len(call) :] + " " + following).split(";", 1)[0]
        ):
            return True
        assigned = ASSIGNED.match(before)
        if assigned and following.startswith(("if ", "if(", "unless ")):
            names = [n.strip() for n in assigned.group("names").split(",")]
            if any(
                re.search(r"(?<![\w$])" + re.escape(n) + r"(?![\w$])", following)
                for n in names
                if n != "_"
            ):
                return True
    return False


def find_result_no_longer_checked(ctx: CheckContext) -> Iterator[Hit]:
    """A call whose result the old code tested, now called with the result thrown away."""
    if ctx.old_text is None or ctx.is_test_file:
        return
    for hunk in ctx.file.hunks:
        if not hunk.removed:
            continue
        removed = [ctx.old_line(n) for n in hunk.removed]
        for number in hunk.added:
            text = ctx.line(number).strip()
            if text.startswith("let _") and ctx.language == "rust":
                continue  # rust.discarded-result's finding
            match = (RUST_DEFAULTED if ctx.language == "rust" else BARE_CALL).match(text)
            if match is None:
                continue
            call = " ".join(match.group("call").split())
            if call.startswith(("return", "if", "while", "for")) or not _checked_before(
                removed, call, ctx.language
            ):
                continue
            start = ctx.line(number).find(match.group("call"))
            yield Hit(
                Span(number, start, number, start + len(match.group("call"))),
                f"The old code checked what `{call[:60]}` returned; now "
                + (
                    "an error becomes a default value"
                    if ctx.language == "rust"
                    else "its result is ignored"
                )
                + ", so when it fails nothing notices and the code carries on.",
                call[:200],
                confidence=0.6,
            )


def find_throw_became_default(ctx: CheckContext) -> Iterator[Hit]:
    """A hunk deletes a throw/raise and adds a `return <default>` in its place."""
    old_tree = ctx.old_tree
    if ctx.tree is None or old_tree is None or ctx.is_test_file:
        return
    for hunk in ctx.file.hunks:
        if not hunk.removed or not hunk.added:
            continue
        removed_rows = {n - 1 for n in hunk.removed}
        added_rows = {n - 1 for n in hunk.added}
        old_span = (hunk.old_start - 1, hunk.old_start + hunk.old_count - 1)
        new_span = (hunk.new_start - 1, hunk.new_start + hunk.new_count - 1)
        if not any(
            n.start_point[0] in removed_rows
            for n in _nodes(old_tree.root_node, old_span, THROW_TYPES)
        ):
            continue
        new_nodes = list(_nodes(ctx.tree.root_node, new_span, THROW_TYPES | {"return_statement"}))
        if any(n.type in THROW_TYPES and n.start_point[0] in added_rows for n in new_nodes):
            continue
        for node in new_nodes:
            if node.type != "return_statement" or node.start_point[0] not in added_rows:
                continue
            if _inside(node, HANDLER_TYPES):
                continue  # generic.error-swallowed-by-change speaks for handlers
            body = node.parent
            default = (
                _returns_default(ctx, body)
                if body is not None and body.named_child_count == 1
                else None
            )
            values = node.named_children
            text = " ".join(ctx.node_text(values[0]).split()) if values else "nothing"
            if default is None and text not in DEFAULT_VALUES:
                continue
            yield Hit(
                ctx.span(node),
                f"The change replaces the error raised here with `return {text}`; callers that relied on the "
                "exception now get a value that looks like an answer. Keep the throw, or make sure every caller checks.",
                ctx.node_text(node),
                confidence=0.6,
            )
            break


def _nodes(root: ts.Node, rows: tuple[int, int], types: frozenset[str]) -> Iterator[ts.Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.end_point[0] < rows[0] or node.start_point[0] > rows[1]:
            continue
        if node.type in types:
            yield node
        stack.extend(node.named_children)


def _inside(node: ts.Node, types: frozenset[str]) -> bool:
    current = node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        if current.type in types:
            return True
        current = current.parent
    return False


# ----------------------------------------------------------------------------- error-first callbacks

CALLBACK_TYPES = frozenset({"arrow_function", "function_expression", "function"})
ERROR_PARAMETERS = frozenset({"err", "error", "er", "e"})


def _callbacks(root: ts.Node, rows: tuple[int, int]) -> list[ts.Node]:
    return sorted(_nodes(root, rows, CALLBACK_TYPES), key=lambda n: n.start_byte)


def _error_parameter(ctx: CheckContext, function: ts.Node) -> tuple[str, bool]:
    """(the error-first parameter's name or '', whether the function has parameters at all)."""
    parameters = function.child_by_field_name("parameters") or function.child_by_field_name(
        "parameter"
    )
    if parameters is None:
        return "", False
    if parameters.type == "identifier":
        first: ts.Node | None = parameters
    else:
        first = parameters.named_children[0] if parameters.named_child_count else None
    if first is None:
        return "", False
    if first.type in ("required_parameter", "optional_parameter"):
        first = first.child_by_field_name("pattern") or first
    name = ctx.node_text(first)
    return (name if name in ERROR_PARAMETERS else ""), True


def _mentions(ctx: CheckContext, body: ts.Node | None, name: str) -> bool:
    return body is not None and any(
        n.type in ("identifier", "shorthand_property_identifier") and ctx.node_text(n) == name
        for n in _descendants(body)
    )


def find_callback_error_ignored(ctx: CheckContext) -> Iterator[Hit]:
    """An error-first callback that tested its error, and after the change never looks at it."""
    old_tree = ctx.old_tree
    if ctx.tree is None or old_tree is None or ctx.is_test_file:
        return
    for hunk in ctx.file.hunks:
        if not hunk.removed:
            continue
        old = _callbacks(
            old_tree.root_node, (hunk.old_start - 1, hunk.old_start + hunk.old_count - 2)
        )
        new = _callbacks(
            ctx.tree.root_node, (hunk.new_start - 1, hunk.new_start + hunk.new_count - 2)
        )
        if len(old) != len(new):
            continue
        for before, after in zip(old, new, strict=True):
            if not _contains_row(before, hunk.removed):
                continue
            name, _ = _error_parameter(ctx, before)
            if not name or not _mentions(ctx, before.child_by_field_name("body"), name):
                continue
            new_name, has_parameters = _error_parameter(ctx, after)
            if new_name and _mentions(ctx, after.child_by_field_name("body"), new_name):
                continue
            if not new_name and has_parameters:
                continue  # the callback's shape changed: not the same error-first callback
            yield _handler_hit(
                ctx,
                after,
                hunk,
                f"This callback used to check `{name}` before going on; after the change a failure "
                "is ignored and the code carries on as if it had worked. Check the error first.",
            )


EMPTY_CATCH_LANGUAGES = {
    "js": JS_LIKE,
    "java": ("java",),
    "csharp": ("csharp",),
    "php": ("php",),
    "cpp": ("cpp",),
}

RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "py.bare-except",
            ("python",),
            Severity.WARNING,
            "error-handling",
            "bare `except:` (fix: `except Exception:`)",
            True,
        ),
        find_bare_except,
    ),
    Rule(
        RuleInfo(
            "py.swallowed-exception",
            ("python",),
            Severity.WARNING,
            "error-handling",
            "`except Exception: pass` with no comment",
        ),
        find_swallowed_exception,
    ),
    *(
        Rule(
            RuleInfo(
                f"{prefix}.empty-catch",
                languages,
                Severity.WARNING,
                "error-handling",
                "empty catch block with no comment",
            ),
            find_empty_catch,
        )
        for prefix, languages in EMPTY_CATCH_LANGUAGES.items()
    ),
    Rule(
        RuleInfo(
            "java.print-stack-trace",
            ("java",),
            Severity.WARNING,
            "error-handling",
            "catch block whose only statement is e.printStackTrace()",
        ),
        find_print_stack_trace,
    ),
    Rule(
        RuleInfo(
            "ruby.swallowed-rescue",
            ("ruby",),
            Severity.WARNING,
            "error-handling",
            "`rescue nil` or an empty rescue of StandardError/Exception",
        ),
        find_ruby_rescue,
    ),
    Rule(
        RuleInfo(
            "js.swallowed-promise",
            JS_LIKE,
            Severity.WARNING,
            "error-handling",
            "`.catch(() => {})` / `.catch(() => null)` dropping a rejection",
            confidence=0.8,
        ),
        find_swallowed_promise,
    ),
    *(
        Rule(
            RuleInfo(
                f"{prefix}.error-to-default",
                languages,
                Severity.WARNING,
                "error-handling",
                "a new handler returns a default value where the old function let errors propagate",
                confidence=0.5,
            ),
            find_error_to_default,
        )
        for prefix, languages in (
            ("py", ("python",)),
            ("js", JS_LIKE),
            ("java", ("java",)),
            ("csharp", ("csharp",)),
        )
    ),
    Rule(
        RuleInfo(
            "generic.error-swallowed-by-change",
            ("python", *JS_LIKE, "java", "csharp", "php", "ruby", "cpp"),
            Severity.WARNING,
            "error-handling",
            "a handler that re-raised, passed its error on or stopped, and after the change only drops it",
            confidence=0.7,
        ),
        find_handler_stopped_propagating,
    ),
    Rule(
        RuleInfo(
            "generic.result-unchecked",
            ("python", *JS_LIKE, "go", "java", "csharp", "php", "ruby", "c", "cpp", "rust"),
            Severity.WARNING,
            "error-handling",
            "a call whose result the old code tested, now called with the result ignored",
            confidence=0.6,
        ),
        find_result_no_longer_checked,
    ),
    Rule(
        RuleInfo(
            "generic.throw-to-default",
            ("python", *JS_LIKE, "java", "csharp", "php", "ruby", "cpp"),
            Severity.WARNING,
            "error-handling",
            "a removed throw/raise replaced by `return false/null/...`",
            confidence=0.6,
        ),
        find_throw_became_default,
    ),
    Rule(
        RuleInfo(
            "js.callback-error-ignored",
            JS_LIKE,
            Severity.WARNING,
            "error-handling",
            "an error-first callback that checked its error and after the change ignores it",
            confidence=0.7,
        ),
        find_callback_error_ignored,
    ),
    Rule(
        RuleInfo(
            "rust.discarded-result",
            ("rust",),
            Severity.WARNING,
            "error-handling",
            "`.ok();` as a statement, or `let _ =` on a call whose result the old code checked",
            confidence=0.6,
        ),
        find_rust_discarded_result,
    ),
)
