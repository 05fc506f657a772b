"""Debug leftovers: prints, debugger breakpoints and dumps that should not reach review.

Each rule fires only on code the change adds, and only in forms a reviewer would ask to
remove; the fix deletes the statement when it stands alone on its lines in an ordinary
block (in Python, an emptied block keeps a ``pass``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts
from tactful.analyzers.checks.base import JS_LIKE, CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.model import Fix, Severity, Span, TextEdit

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

# Directories and files whose output is their job: scripts, tools, examples, benchmarks, CLIs.
PROGRAM_DIRS = frozenset(
    {
        "script",
        "scripts",
        "bin",
        "exe",
        "tool",
        "tools",
        "example",
        "examples",
        "sample",
        "samples",
        "demo",
        "demos",
        "bench",
        "benches",
        "benchmark",
        "benchmarks",
        "cmd",
        "cli",
    }
)
PROGRAM_FILES = frozenset(
    {
        "__main__.py",
        "setup.py",
        "manage.py",
        "noxfile.py",
        "tasks.py",
        "fabfile.py",
        "build.rs",
        "Rakefile",
    }
)
# A file that defines the program's entry point prints for a living (bounded, anchored patterns).
PROGRAM_ENTRY = {
    "c": re.compile(r"^[ \t]{0,16}(?:int|void)[ \t]{1,16}main[ \t]{0,16}\(", re.MULTILINE),
    "cpp": re.compile(r"^[ \t]{0,16}(?:int|void|auto)[ \t]{1,16}main[ \t]{0,16}\(", re.MULTILINE),
    "go": re.compile(r"^package[ \t]{1,16}main\b", re.MULTILINE),
    "java": re.compile(r"\bstatic[ \t]{1,16}void[ \t]{1,16}main[ \t]{0,16}\("),
    "csharp": re.compile(
        r"\bstatic[ \t]{1,16}(?:async[ \t]{1,16})?(?:void|int|Task|Task<int>)[ \t]{1,16}Main[ \t]{0,16}\("
    ),
    "rust": re.compile(
        r"^[ \t]{0,16}(?:pub[ \t]{1,16})?(?:async[ \t]{1,16})?fn[ \t]{1,16}main[ \t]{0,16}\(",
        re.MULTILINE,
    ),
}
_PDB_IMPORT_PREFIX = re.compile(r"^\s*import\s+(pdb|ipdb|pudb)\s*;\s*$")


def is_program_path(path: str) -> bool:
    """True for scripts, tools, examples, benchmarks and CLI modules (``cli.py``, ``cli/``,
    ``foo_cli.py``, ``cli_foo.py``), whose printing is their purpose."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    if PROGRAM_DIRS.intersection(parts[:-1]) or name in PROGRAM_FILES:
        return True
    stem, _, extension = name.rpartition(".")
    if not stem:
        stem, extension = name, ""
    if extension == "rake" or stem == "main":
        return True
    return stem == "cli" or stem.endswith(("_cli", "-cli")) or stem.startswith(("cli_", "cli-"))


def prints_for_a_living(ctx: CheckContext) -> bool:
    """True when the file's purpose is output, so added prints are not debugging leftovers.

    Shared by every debug-output rule: programs by path (scripts, tools, examples,
    benchmarks, CLIs), tests, executables with a ``#!`` line, files that define the
    program's entry point (``main``, Go's ``package main``), and files that already print
    (an output statement on a line the change kept).
    """
    if is_program_path(ctx.path) or ctx.is_test_file or ctx.line(1).startswith("#!"):
        return True
    entry = PROGRAM_ENTRY.get(ctx.language or "")
    if entry is not None and entry.search(ctx.text):
        return True
    return _prints_on_unchanged_lines(ctx)


# Output statements by text, to tell whether a file already prints on lines the change kept.
# A regex over the text instead of a whole-file query keeps a one-line edit in a large file
# cheap; a match inside a comment or string only makes the rule quieter.
PRINTS_TEXT = {
    "python": re.compile(r"^[ \t]{0,40}print\(", re.MULTILINE),
    "javascript": re.compile(r"\bconsole\.(?:log|debug|trace|dir|dirxml|table)\("),
    "c": re.compile(
        r"\b(?:printf|puts)\(|\bfprintf\([ \t]{0,4}stderr\b|\bstd::c(?:out|err)\b|^[ \t]{0,40}c(?:out|err)[ \t]{0,4}<<",
        re.MULTILINE,
    ),
    "go": re.compile(r"\bfmt\.Print(?:ln|f)?\(|^[ \t]{0,40}print(?:ln)?\(", re.MULTILINE),
    "java": re.compile(r"\bSystem\.(?:out|err)\.print"),
    "csharp": re.compile(r"\bConsole\.(?:Error\.)?Write(?:Line)?\("),
    "rust": re.compile(r"\be?print(?:ln)?!\("),
    "ruby": re.compile(r"^[ \t]{0,40}(?:puts|print|pp?)\b(?![ \t]{0,4}=)", re.MULTILINE),
}
for _alias, _base in (("typescript", "javascript"), ("tsx", "javascript"), ("cpp", "c")):
    PRINTS_TEXT[_alias] = PRINTS_TEXT[_base]


def _prints_on_unchanged_lines(ctx: CheckContext) -> bool:
    pattern = PRINTS_TEXT.get(ctx.language or "")
    if pattern is None:
        return False
    line, offset = 1, 0
    for match in pattern.finditer(ctx.text):
        line += ctx.text.count("\n", offset, match.start())
        offset = match.start()
        if not ctx.is_added(line) and not _in_comment_or_string(ctx, line, match.start()):
            return True
    return False


def _in_comment_or_string(ctx: CheckContext, line: int, offset: int) -> bool:
    """A print in a doc comment or a docstring's example shows usage; it is not the file printing."""
    if ctx.tree is None:
        return False
    text = ctx.line(line)
    column_chars = offset - (ctx.text.rfind("\n", 0, offset) + 1)
    column = (
        len(text[:column_chars].encode("utf-8"))
        + len(text[column_chars:])
        - len(text[column_chars:].lstrip())
    )
    node = ctx.tree.root_node.descendant_for_point_range((line - 1, column), (line - 1, column))
    for _ in range(4):
        if node is None:
            return False
        if "comment" in node.type or "string" in node.type or node.type == "doc_comment":
            return True
        node = node.parent
    return False


OUTPUT_WORDS = frozenset(
    {
        "debug",
        "dump",
        "print",
        "pprint",
        "log",
        "trace",
        "display",
        "report",
        "usage",
        "verbose",
        "echo",
    }
)
NAME_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
FUNCTION_TYPES = frozenset(
    {
        "function_definition",
        "function_declaration",
        "method_declaration",
        "method_definition",
        "function_item",
        "method",
        "singleton_method",
        "constructor_declaration",
        "local_function_statement",
        "variable_declarator",
    }
)


def _output_name_words(name: str) -> bool:
    return any(word.lower() in OUTPUT_WORDS for word in NAME_WORD.findall(name[-120:]))


def in_output_function(ctx: CheckContext, node: ts.Node) -> bool:
    """True inside a function whose name says printing is its job (``_debugPacket``, ``print_usage``)."""
    current = node.parent
    while current is not None:
        if current.type in FUNCTION_TYPES:  # also `const debugPacket = function () {...}`
            target = current.child_by_field_name("name")
        elif current.type in (
            "assignment_expression",
            "pair",
        ):  # Protocol.prototype._debugPacket = ...
            target = current.child_by_field_name("left") or current.child_by_field_name("key")
        else:
            target = None
        if target is not None and _output_name_words(ctx.node_text(target)):
            return True
        current = current.parent
    return False


def _ancestor(node: ts.Node, predicate: object) -> ts.Node | None:
    current = node.parent
    while current is not None:
        if callable(predicate) and predicate(current):
            return current
        current = current.parent
    return None


def _in_main_guard(ctx: CheckContext, node: ts.Node) -> bool:
    def is_main(n: ts.Node) -> bool:
        if n.type == "if_statement":
            condition = n.child_by_field_name("condition")
            return condition is not None and "__main__" in ctx.node_text(condition)
        if n.type == "function_definition":
            name = n.child_by_field_name("name")
            return name is not None and ctx.node_text(name) == "main"
        return False

    return _ancestor(node, is_main) is not None


def _is_main_guard(ctx: CheckContext, node: ts.Node) -> bool:
    condition = node.child_by_field_name("condition") if node.type == "if_statement" else None
    return condition is not None and "__main__" in ctx.node_text(condition)


PY_DEFINITIONS = frozenset({"function_definition", "class_definition", "decorated_definition"})
PY_COMPOUND = frozenset(
    {"try_statement", "except_clause", "finally_clause", "else_clause", "if_statement",
     "elif_clause", "for_statement", "while_statement", "with_statement", "block"}
)  # fmt: skip


def _at_module_level(node: ts.Node) -> bool:
    current = node.parent
    while current is not None and current.type != "module":
        if current.type in PY_DEFINITIONS:
            return False
        current = current.parent
    return True


def _runs_at_import(ctx: CheckContext) -> bool:
    """A script without a ``__main__`` guard: at module level it calls a function the file
    defines (``main()``, ``render(pkg)``), so the file runs its work when executed and its
    prints are its output. Library modules define functions; they do not call them at import."""
    if ctx.tree is None:
        return False
    top = ctx.tree.root_node.named_children
    defined = {
        ctx.node_text(name)
        for node in top
        for definition in (
            [node.child_by_field_name("definition")]
            if node.type == "decorated_definition"
            else [node]
        )
        if definition is not None
        and definition.type == "function_definition"
        and (name := definition.child_by_field_name("name")) is not None
    }
    if not defined:
        return False
    # Call statements only: `_TABLE = _build()` is how libraries initialise, not a script's run.
    stack = [n for n in top if n.type not in PY_DEFINITIONS and not _is_main_guard(ctx, n)]
    while stack:
        node = stack.pop()
        if node.type == "expression_statement":
            call = node.named_children[0] if node.named_children else None
            function = (
                call.child_by_field_name("function")
                if call is not None and call.type == "call"
                else None
            )
            if (
                function is not None
                and function.type == "identifier"
                and ctx.node_text(function) in defined
            ):
                return True
        elif node.type in PY_COMPOUND:
            stack.extend(node.named_children)
    return False


def is_script(ctx: CheckContext) -> bool:
    """A program rather than library code: by path, a ``#!`` line, or (Python) a module that
    runs its work when executed (a ``__main__`` block, or calls to its own functions at the
    top). Its leftovers (output, disabled lines) are its author's business, not a reviewer's."""
    if is_program_path(ctx.path) or ctx.line(1).startswith("#!"):
        return True
    if ctx.language != "python" or ctx.tree is None:
        return False
    return _runs_at_import(ctx) or any(
        _is_main_guard(ctx, n) for n in ctx.tree.root_node.named_children
    )


def find_python_print(ctx: CheckContext) -> Iterator[Hit]:
    if not any(True for _ in ctx.captures("py.print")):
        return  # nothing added prints: skip the whole-file checks
    if prints_for_a_living(ctx) or _runs_at_import(ctx):
        return
    main_guarded = ctx.tree is not None and any(
        _is_main_guard(ctx, n) for n in ctx.tree.root_node.named_children
    )
    for captures in ctx.captures("py.print"):
        statement = captures["py.print"][0]
        args = captures["args"][0]
        if any(
            a.type == "keyword_argument" and ctx.node_text(a).startswith("file")
            for a in args.named_children
        ):
            continue
        if _in_main_guard(ctx, statement) or in_output_function(ctx, statement):
            continue
        if main_guarded and _at_module_level(statement):
            continue  # top-level output of a file with a `__main__` block is the script's output
        fix = ctx.removal_fix(statement, "Remove the debug print", PY_BLOCKS, ("#",))
        yield ctx.hit(
            statement,
            "This print() looks like leftover debugging; use logging, or remove it before merging.",
            fix,
        )


def find_python_debugger(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("py.debugger"):
        statement = captures["py.debugger"][0]
        message = "A debugger breakpoint was left in; it will stop the program wherever this runs."
        fix = ctx.removal_fix(statement, "Remove the breakpoint", PY_BLOCKS, ("#",))
        span = ctx.span(statement)
        prefix = ctx.line(span.start_line)[: span.start_col]
        alone_after_import = (
            span.start_line == span.end_line
            and _PDB_IMPORT_PREFIX.match(prefix)
            and not ctx.line(span.start_line)[span.end_col :].strip()
        )
        if fix is None and alone_after_import:
            # `import pdb; pdb.set_trace()` on one line: the whole line goes.
            fix = Fix(
                "Remove the breakpoint",
                (TextEdit(Span.lines(span.start_line, span.start_line), ""),),
            )
        yield ctx.hit(statement, message, fix)


def find_console_log(ctx: CheckContext) -> Iterator[Hit]:
    if not any(True for _ in ctx.captures("js.console")) or prints_for_a_living(ctx):
        return
    for captures in ctx.captures("js.console"):
        call = captures["js.console"][0]
        if in_output_function(ctx, call):
            continue
        method = ctx.node_text(captures["_prop"][0])
        statement = call.parent
        fix = None
        if statement is not None and statement.type == "expression_statement":
            fix = ctx.removal_fix(statement, f"Remove console.{method}", JS_BLOCKS)
        yield ctx.hit(
            call,
            f"console.{method}() looks like leftover debugging; remove it or use the project's logger.",
            fix,
        )


def find_js_debugger(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("js.debugger"):
        statement = captures["js.debugger"][0]
        fix = ctx.removal_fix(statement, "Remove the debugger statement", JS_BLOCKS)
        yield ctx.hit(
            statement,
            "A `debugger` statement was left in; it pauses every user with devtools open.",
            fix,
        )


_SIMPLE_EXPR = re.compile(r"^&?[A-Za-z_][\w.]*$")


def find_rust_dbg(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("rust.dbg"):
        macro = captures["rust.dbg"][0]
        tokens = captures["args"][0]
        inner = ctx.node_text(tokens)[1:-1].strip()
        top_level_commas = [c for c in tokens.children if c.type == ","]
        fix = None
        statement = macro.parent
        if (
            statement is not None
            and statement.type == "expression_statement"
            and (not inner or _SIMPLE_EXPR.match(inner))
        ):
            fix = ctx.removal_fix(statement, "Remove dbg!", RUST_BLOCKS)
        elif inner and not top_level_commas and not inner.endswith(","):
            fix = Fix(f"Unwrap dbg!: keep `{inner[:40]}`", (TextEdit(ctx.span(macro), inner),))
        yield ctx.hit(
            macro, "dbg!() is a debugging aid that prints to stderr; remove it before merging.", fix
        )


def find_ruby_debugger(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("ruby.debugger"):
        node = captures["ruby.debugger"][0]
        if node.parent is None or node.parent.type not in RUBY_BLOCKS:
            continue  # an identifier called `debugger` used as a value, not a breakpoint
        fix = ctx.removal_fix(node, "Remove the breakpoint", RUBY_BLOCKS, ("#",))
        yield ctx.hit(
            node, f"`{ctx.node_text(node)}` is a debugger breakpoint left in the code.", fix
        )


def find_php_dump(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("php.dump"):
        call = captures["php.dump"][0]
        name = ctx.node_text(captures["_fn"][0])
        args = [a for a in captures["args"][0].named_children if a.type == "argument"]
        if name in ("print_r", "var_export") and len(args) > 1:
            continue  # with `true` these return a string instead of printing
        statement = call.parent
        fix = None
        if statement is not None and statement.type == "expression_statement":
            fix = ctx.removal_fix(statement, f"Remove {name}()", PHP_BLOCKS, ("//", "#"))
        yield ctx.hit(
            call, f"{name}() dumps to the response; it looks like leftover debugging.", fix
        )


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
    if not candidates or ctx.is_test_file or is_program_path(ctx.path):
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


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "py.debug-print",
            ("python",),
            Severity.WARNING,
            "debug",
            "print() added in library code (not in scripts, main guards, or files that already print)",
            True,
        ),
        find_python_print,
    ),
    Rule(
        RuleInfo(
            "py.debugger",
            ("python",),
            Severity.WARNING,
            "debug",
            "breakpoint() or pdb/ipdb.set_trace() left in",
            True,
        ),
        find_python_debugger,
    ),
    Rule(
        RuleInfo(
            "js.console-log",
            JS_LIKE,
            Severity.WARNING,
            "debug",
            "console.log/debug/trace/dir/table left in",
            True,
        ),
        find_console_log,
    ),
    Rule(
        RuleInfo(
            "js.debugger", JS_LIKE, Severity.WARNING, "debug", "`debugger;` statement left in", True
        ),
        find_js_debugger,
    ),
    Rule(
        RuleInfo("rust.dbg-macro", ("rust",), Severity.WARNING, "debug", "dbg!() left in", True),
        find_rust_dbg,
    ),
    Rule(
        RuleInfo(
            "ruby.debugger",
            ("ruby",),
            Severity.WARNING,
            "debug",
            "binding.pry / binding.irb / byebug / debugger left in",
            True,
        ),
        find_ruby_debugger,
    ),
    Rule(
        RuleInfo(
            "php.debug-dump",
            ("php",),
            Severity.WARNING,
            "debug",
            "var_dump / print_r / var_export / dd / dump left in",
            True,
        ),
        find_php_dump,
    ),
    Rule(
        RuleInfo(
            "php.error-log-dump",
            ("php",),
            Severity.WARNING,
            "debug",
            "error_log(print_r($x, true)) and similar value dumps into the log",
            True,
            0.7,
        ),
        find_php_error_log_dump,
    ),
    *(
        Rule(
            RuleInfo(
                f"{prefix}.debug-print",
                languages,
                Severity.WARNING,
                "debug",
                summary,
                True,
                confidence,
            ),
            find_debug_output,
        )
        for prefix, languages, summary, confidence in (
            (
                "c",
                ("c", "cpp"),
                "printf/puts/fprintf(stderr)/std::cout/std::cerr added in code that does not "
                "otherwise print",
                0.4,
            ),
            ("go", ("go",), "fmt.Print/Printf/Println or println added outside package main", 0.6),
            ("java", ("java",), "System.out/System.err print added outside a main class", 0.6),
            ("csharp", ("csharp",), "Console.Write/WriteLine added outside a Main class", 0.6),
            ("rust", ("rust",), "println!/eprintln!/print!/eprint! added in library code", 0.6),
            ("ruby", ("ruby",), "puts/print/p/pp added in library code", 0.5),
        )
    ),
    Rule(
        RuleInfo(
            "java.debug-stack-trace",
            ("java",),
            Severity.WARNING,
            "debug",
            "e.printStackTrace() added outside a catch that does nothing else",
            False,
            0.6,
        ),
        find_print_stack_trace,
    ),
)
