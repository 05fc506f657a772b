"""Debug output in C, C++, Go, Java, C#, Rust and Ruby, stack traces (Java) and PHP log dumps.

One generic finder reads each language's output call through ``OUTPUT_FORMS``; error
reports to stderr and files whose purpose is output (see ``purpose``) are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext, Hit
from tactful.analyzers.checks.purpose import (
    in_output_function,
    is_program_path,
    prints_for_a_living,
)

# Statement blocks where deleting a whole statement leaves valid code (the removal fixes).
PY_BLOCKS = frozenset({"block", "module"})
JS_BLOCKS = frozenset({"program", "statement_block", "switch_case", "switch_default"})
PHP_BLOCKS = frozenset({"program", "compound_statement", "case_statement", "default_statement"})
RUBY_BLOCKS = frozenset(
    {"program", "body_statement", "then", "else", "do", "block_body", "begin", "ensure"}
)
RUST_BLOCKS = frozenset({"block"})
C_BLOCKS = frozenset({"compound_statement", "case_statement"})
GO_BLOCKS = frozenset({"statement_list", "block", "expression_case", "default_case"})
JAVA_BLOCKS = frozenset({"block", "switch_block_statement_group"})
CSHARP_BLOCKS = frozenset({"block", "switch_section"})


@dataclass(frozen=True)
class _OutputForm:
    """How one language's debug output reads: its blocks and what a reviewer would say."""

    blocks: frozenset[str]
    message: str
    comment_prefixes: tuple[str, ...] = ("//",)


OUTPUT_FORMS: dict[str, _OutputForm] = {
    "c": _OutputForm(
        C_BLOCKS,
        "`{name}` in code that does not otherwise print looks like leftover debugging; "
        "remove it or report through the project's error path.",
    ),
    "go": _OutputForm(
        GO_BLOCKS,
        "`{name}` writes to stdout from library code, where callers cannot silence it; "
        "remove it or use the project's logger.",
    ),
    "java": _OutputForm(
        JAVA_BLOCKS,
        "`{name}` in library code looks like leftover debugging; use the logger, or remove it.",
    ),
    "csharp": _OutputForm(
        CSHARP_BLOCKS,
        "`{name}` in library code looks like leftover debugging; use the logger, or remove it.",
    ),
    "rust": _OutputForm(
        RUST_BLOCKS,
        "`{name}!` in library code looks like leftover debugging; use `log` or "
        "`tracing`, or remove it.",
    ),
    "ruby": _OutputForm(
        RUBY_BLOCKS,
        "`{name}` in library code looks like leftover debugging; use the logger, or remove it.",
        ("#",),
    ),
}
OUTPUT_FORMS["cpp"] = OUTPUT_FORMS["c"]
RUBY_DUMPS = frozenset({"p", "pp"})
CPP_STREAMS = frozenset({"std::cout", "std::cerr", "cout", "cerr"})


def _output_name(ctx: CheckContext, call: ts.Node) -> str:
    if call.type == "method_invocation":  # Java: System.out.println
        obj, name = call.child_by_field_name("object"), call.child_by_field_name("name")
        return (
            f"{ctx.node_text(obj)}.{ctx.node_text(name)}"
            if obj is not None and name is not None
            else ""
        )
    for field_name in ("function", "macro", "method"):
        function = call.child_by_field_name(field_name)
        if function is not None:
            return ctx.node_text(function)
    return ""


def _stream_root(node: ts.Node) -> ts.Node:
    while (
        node.type == "binary_expression" and (left := node.child_by_field_name("left")) is not None
    ):
        node = left
    return node


def _ruby_statement(node: ts.Node) -> bool:
    return node.parent is not None and node.parent.type in RUBY_BLOCKS


ERROR_STREAMS = re.compile(
    r"^(?:std::cerr|cerr|System\.err\.\w+|eprint(?:ln)?|Console\.Error\.\w+|\$stderr\.\w+|warn)$"
    r"|^(?:fprintf|fputs|vfprintf)$"
)
ERROR_TEXT = re.compile(
    r"(?i)\b(?:errno|strerror\w{0,4}|dlerror|perror|GetLastError|error|errors|err|fail(?:ed|ure)?|"
    r"cannot|can't|unable|invalid|warning|fatal)\b"
)


def _reports_an_error(name: str, call_text: str) -> bool:
    """Output to stderr that names an error (``std::cerr << dlerror()``, ``fprintf(stderr,
    "cannot open %s")``) is how C-family code reports failures, not a debugging leftover."""
    if not ERROR_STREAMS.match(name):
        return False
    rest = call_text[len(name) :] if call_text.startswith(name) else call_text
    if name in ("fprintf", "fputs", "vfprintf") and not re.search(r"\bstderr\b", rest):
        return False
    return ERROR_TEXT.search(rest.replace("stderr", "")) is not None


def find_debug_output(ctx: CheckContext) -> Iterator[Hit]:
    """Debug prints in C, C++, Go, Java, C#, Rust and Ruby, unless the file prints for a living."""
    form = OUTPUT_FORMS.get(ctx.language or "")
    if form is None:
        return
    capture = "debug.print"
    candidates = list(ctx.captures(capture))
    if ctx.language == "cpp":
        streams = [
            c
            for c in ctx.captures("cpp.stream")
            if ctx.node_text(_stream_root(c["call"][0])) in CPP_STREAMS
        ]
        candidates += [
            {
                capture: c["cpp.stream"],
                "call": c["call"],
                "stream_root": [_stream_root(c["call"][0])],
            }
            for c in streams
        ]
    if not candidates or prints_for_a_living(ctx):
        return
    seen: set[int] = set()
    for captures in sorted(candidates, key=lambda c: c[capture][0].start_byte):
        statement = captures[capture][0]
        call = captures.get("call", captures[capture])[0]
        if statement.start_byte in seen:
            continue
        seen.add(statement.start_byte)
        if ctx.language == "ruby" and not _ruby_statement(statement):
            continue  # `x = p(y)` or an argument: the value is used
        if in_output_function(ctx, statement):
            continue
        name = (
            ctx.node_text(captures["stream_root"][0])
            if "stream_root" in captures
            else _output_name(ctx, call)
        )
        if _reports_an_error(name, ctx.node_text(call)):
            continue
        fix = None
        last_expression = ctx.language == "ruby" and statement.next_named_sibling is None
        if not last_expression:  # in Ruby the last expression is the method's value
            fix = ctx.removal_fix(
                statement, f"Remove the {name} call", form.blocks, form.comment_prefixes
            )
        confidence = None
        if ctx.language == "ruby" and name in RUBY_DUMPS:
            message, confidence = (
                f"`{name}` is a debugging dump left in; remove it before merging.",
                0.8,
            )
        else:
            message = form.message.format(name=name)
        yield Hit(
            ctx.span(statement if statement.type != "expression_statement" else call),
            message,
            ctx.node_text(call),
            fix,
            confidence=confidence,
        )


def find_print_stack_trace(ctx: CheckContext) -> Iterator[Hit]:
    """``e.printStackTrace()`` added anywhere but as a catch block's only statement (errors.py's rule)."""
    candidates = [c for c in ctx.captures("java.stack-trace") if not c["args"][0].named_child_count]
    if not candidates or ctx.is_test_file or is_program_path(ctx.path, ctx.language):
        return
    for captures in candidates:
        statement = captures["java.stack-trace"][0]
        block = statement.parent
        if (
            block is not None
            and block.parent is not None
            and block.parent.type == "catch_clause"
            and (len(block.named_children) == 1)
        ):
            continue
        yield ctx.hit(
            captures["call"][0],
            "printStackTrace() writes to stderr past the logger, where nobody will look; log the "
            "exception or rethrow it.",
        )


PHP_DUMPERS = ("print_r", "var_export", "var_dump", "json_encode", "serialize")


def find_php_error_log_dump(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("php.error-log"):
        call = captures["php.error-log"][0]
        args = ctx.node_text(captures["args"][0])
        dumper = next((d for d in PHP_DUMPERS if f"{d}(" in args), None)
        if dumper is None:
            continue  # an ordinary log message
        statement = call.parent
        fix = None
        if statement is not None and statement.type == "expression_statement":
            fix = ctx.removal_fix(statement, "Remove the error_log dump", PHP_BLOCKS, ("//", "#"))
        yield ctx.hit(
            call,
            f"error_log({dumper}(...)) dumps a whole value into the server log; it looks like leftover debugging.",
            fix,
        )
