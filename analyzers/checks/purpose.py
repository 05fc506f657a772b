"""What a file or function is for, as far as output goes: programs, scripts and output helpers.

Debug-output rules stay quiet where printing is the code's job: scripts, tools, examples,
benchmarks and CLIs (by path), files that define the program's entry point, files that
already print on lines the change kept, functions named for output, Python modules that
run their work when executed, and JS/TS modules that export nothing and await at the top.
"""

from __future__ import annotations

import re

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext
from tactful.analyzers.languages import detect_language

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


# Languages whose folders are packages or namespaces named for what the code is about
# (`org/apache/commons/cli/`, a Go `package cli`): a `cli` folder there is a library for
# building command lines, and a program says so in its code (`main`, `package main`).
FOLDER_PACKAGE_LANGUAGES = frozenset({"java", "csharp", "go"})
LIBRARY_PACKAGE_DIRS = frozenset({"cli"})


def is_program_path(path: str, language: str | None = None) -> bool:
    """True for scripts, tools, examples, benchmarks and CLI modules (``cli.py``, ``cli/``,
    ``foo_cli.py``, ``cli_foo.py``), whose printing is their purpose.

    In a language whose folders are packages (``language``, detected from the path when not
    given), a ``cli`` folder names the package's subject, not a program.
    """
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    folders = PROGRAM_DIRS.intersection(parts[:-1])
    if (language or detect_language(path)) in FOLDER_PACKAGE_LANGUAGES:
        folders -= LIBRARY_PACKAGE_DIRS
    if folders or name in PROGRAM_FILES:
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
    if is_program_path(ctx.path, ctx.language) or ctx.is_test_file or ctx.line(1).startswith("#!"):
        return True
    entry = PROGRAM_ENTRY.get(ctx.language or "")
    if entry is not None and entry.search(ctx.text):
        return True
    return _prints_on_unchanged_lines(ctx) or js_top_level_script(ctx)


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


def in_main_guard(ctx: CheckContext, node: ts.Node) -> bool:
    def is_main(n: ts.Node) -> bool:
        if n.type == "if_statement":
            condition = n.child_by_field_name("condition")
            return condition is not None and "__main__" in ctx.node_text(condition)
        if n.type == "function_definition":
            name = n.child_by_field_name("name")
            return name is not None and ctx.node_text(name) == "main"
        return False

    return _ancestor(node, is_main) is not None


def is_main_guard(ctx: CheckContext, node: ts.Node) -> bool:
    condition = node.child_by_field_name("condition") if node.type == "if_statement" else None
    return condition is not None and "__main__" in ctx.node_text(condition)


PY_DEFINITIONS = frozenset({"function_definition", "class_definition", "decorated_definition"})
PY_COMPOUND = frozenset(
    {"try_statement", "except_clause", "finally_clause", "else_clause", "if_statement",
     "elif_clause", "for_statement", "while_statement", "with_statement", "block"}
)  # fmt: skip


def at_module_level(node: ts.Node) -> bool:
    current = node.parent
    while current is not None and current.type != "module":
        if current.type in PY_DEFINITIONS:
            return False
        current = current.parent
    return True


def runs_at_import(ctx: CheckContext) -> bool:
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
    stack = [n for n in top if n.type not in PY_DEFINITIONS and not is_main_guard(ctx, n)]
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


JS_SCOPES = frozenset(
    {"function_declaration", "function_expression", "arrow_function", "method_definition",
     "class_declaration", "class", "generator_function_declaration", "generator_function"}
)  # fmt: skip
_COMMONJS_EXPORT = re.compile(r"^[ \t]{0,8}(?:module\.)?exports\b", re.MULTILINE)


def js_top_level_script(ctx: CheckContext) -> bool:
    """A JS/TS module that exports nothing and awaits at its top level (``for (...) { await
    build(...) }``): it exists to be run, so, like a script, its output is its job. A library
    module exports its API; top-level ``await`` outside a function only runs in an entry."""
    if ctx.tree is None or ctx.language not in ("javascript", "typescript", "tsx"):
        return False
    top = ctx.tree.root_node.named_children
    if any(n.type == "export_statement" for n in top) or _COMMONJS_EXPORT.search(ctx.text):
        return False
    stack = [n for n in top if n.type not in JS_SCOPES]
    while stack:
        node = stack.pop()
        if node.type == "await_expression":
            return True
        if node.type not in JS_SCOPES:
            stack.extend(node.named_children)
    return False


def is_script(ctx: CheckContext) -> bool:
    """A program rather than library code: by path, a ``#!`` line, or (Python) a module that
    runs its work when executed (a ``__main__`` block, or calls to its own functions at the
    top). Its leftovers (output, disabled lines) are its author's business, not a reviewer's."""
    if is_program_path(ctx.path, ctx.language) or ctx.line(1).startswith("#!"):
        return True
    if js_top_level_script(ctx):
        return True
    if ctx.language != "python" or ctx.tree is None:
        return False
    return runs_at_import(ctx) or any(
        is_main_guard(ctx, n) for n in ctx.tree.root_node.named_children
    )


RUST_TEST_ITEMS = frozenset({"mod_item", "function_item"})


def in_rust_test(ctx: CheckContext, line: int) -> bool:
    """``line`` sits in a Rust ``#[cfg(test)]`` module or ``#[test]`` function: test code kept
    beside the library, as Rust does, so it is a test whatever the file's path says."""
    if ctx.language != "rust" or ctx.tree is None:
        return False
    text = ctx.line(line)
    column = len(text.encode("utf-8")) - len(text.lstrip().encode("utf-8"))
    node = ctx.tree.root_node.descendant_for_point_range((line - 1, column), (line - 1, column))
    while node is not None:
        if node.type in RUST_TEST_ITEMS:
            attribute = node.prev_named_sibling
            while attribute is not None and attribute.type == "attribute_item":
                if re.search(r"\btest\b", ctx.node_text(attribute)):
                    return True
                attribute = attribute.prev_named_sibling
        node = node.parent
    return False
