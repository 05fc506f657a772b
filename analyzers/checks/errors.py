"""Swallowed errors: handlers that catch everything, or catch and do nothing.

Only the forms that hide failures are flagged. A handler that names a specific exception,
holds a comment explaining itself, or binds a variable named ``ignored``/``expected``/``_``
was written on purpose and is left alone. Promise ``.catch`` handlers are in
``error_promises``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import JS_LIKE, CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.checks.error_promises import find_swallowed_promise
from tactful.analyzers.model import Fix, Severity, Span, TextEdit

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
        if block is not None and _reraises(block):
            # PEP 8's sanctioned use: clean up, then let every error (Ctrl-C too) propagate.
            # `except Exception` would skip the cleanup on KeyboardInterrupt, so no fix.
            narrower = _replaced_handler(ctx, clause)
            if narrower:
                yield Hit(
                    header,
                    f"This handler used to run only for `{narrower}`; as a bare `except:` it now "
                    "runs for every error, KeyboardInterrupt and SystemExit included, before "
                    "re-raising. Keep the narrower exception unless that is the point.",
                    text,
                    confidence=0.5,
                )
            continue
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


_TYPED_EXCEPT = re.compile(r"^([ \t]*)except[ \t(]+([^:]{1,120}?)\)?[ \t]*:")


def _reraises(block: ts.Node) -> bool:
    """The handler ends in a bare ``raise``: every error goes on, the handler only cleans up."""
    statements = [s for s in block.named_children if s.type != "comment"]
    return (
        bool(statements)
        and statements[-1].type == "raise_statement"
        and not any(c.type != "comment" for c in statements[-1].named_children)
    )


def _replaced_handler(ctx: CheckContext, clause: ts.Node) -> str:
    """The exception a removed ``except X:`` at the same indent in the same hunk caught, if any:
    the change widened a handler that used to run for one kind of error only."""
    line = clause.start_point[0] + 1
    indent = ctx.line(line)[: len(ctx.line(line)) - len(ctx.line(line).lstrip())]
    for hunk in ctx.file.hunks:
        if not hunk.new_start <= line < hunk.new_start + max(hunk.new_count, 1):
            continue
        for old in hunk.removed:
            found = _TYPED_EXCEPT.match(ctx.old_line(old))
            if found and found.group(1) == indent:
                return found.group(2).split(" as ")[0].strip(" ()")
    return ""


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
)
