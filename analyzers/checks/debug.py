"""Debug leftovers: prints, debugger breakpoints and dumps that should not reach review.

Each rule fires only on code the change adds, and only in forms a reviewer would ask to
remove; the fix deletes the statement when it stands alone on its lines in an ordinary
block (in Python, an emptied block keeps a ``pass``). Which files print for a living is in
``purpose``; the other languages' output calls are in ``debug_output``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tactful.analyzers.checks.base import JS_LIKE, CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.checks.cli_reach import cli_reached, top_level_function
from tactful.analyzers.checks.debug_output import (
    JS_BLOCKS,
    PHP_BLOCKS,
    PY_BLOCKS,
    RUBY_BLOCKS,
    RUST_BLOCKS,
    find_debug_output,
    find_php_error_log_dump,
    find_print_stack_trace,
)
from tactful.analyzers.checks.purpose import (
    at_module_level,
    in_main_guard,
    in_output_function,
    is_main_guard,
    prints_for_a_living,
    runs_at_import,
)
from tactful.analyzers.model import Fix, Severity, Span, TextEdit

_PDB_IMPORT_PREFIX = re.compile(r"^\s*import\s+(pdb|ipdb|pudb)\s*;\s*$")


def find_python_print(ctx: CheckContext) -> Iterator[Hit]:
    if not any(True for _ in ctx.captures("py.print")):
        return  # nothing added prints: skip the whole-file checks
    if prints_for_a_living(ctx) or runs_at_import(ctx):
        return
    main_guarded = ctx.tree is not None and any(
        is_main_guard(ctx, n) for n in ctx.tree.root_node.named_children
    )
    cli = cli_reached(ctx)
    for captures in ctx.captures("py.print"):
        statement = captures["py.print"][0]
        args = captures["args"][0]
        if any(
            a.type == "keyword_argument" and ctx.node_text(a).startswith("file")
            for a in args.named_children
        ):
            continue
        if in_main_guard(ctx, statement) or in_output_function(ctx, statement):
            continue
        if main_guarded and at_module_level(statement):
            continue  # top-level output of a file with a `__main__` block is the script's output
        if cli and top_level_function(ctx, statement) in cli:
            continue  # a function the module's command line runs reports to its user
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
