"""Shell injection in C and C++: a command line built from variable text and run through the shell.

``system``/``popen`` hand their string to ``/bin/sh -c``. The rule reports such a call when
its command is built in the same function from a non-literal piece: ``sprintf``/``snprintf``
with a ``%s`` argument, ``strcat``/``strcpy`` of a variable, C++ ``"cmd " + name`` (directly,
or into the variable later passed as ``cmd.c_str()``), or an ``ostringstream`` fed a variable.
Either the call or the line that builds its command must be new in the change. A piece that
goes through a quoting helper (``shell_quote``, ``escape...``) is taken as handled.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo, nodes_of
from tactful.analyzers.model import Severity

SHELL_SINKS = frozenset(
    {"system", "std::system", "popen", "_popen", "_wpopen", "::system", "::popen"}
)
FUNCTION_TYPES = frozenset({"function_definition"})
COMMAND_VARIABLE = re.compile(
    r"^\s{0,4}([A-Za-z_]\w{0,60})\s{0,4}(?:\.\s{0,2}(?:c_str|data|str\(\)\.c_str)\s{0,2}\(\))?\s{0,4}$"
)
QUOTED = re.compile(r"(?i)quote|escape|sanit")
MAX_LOOKBACK = 60
"""Lines above the call searched for what built its command (one function's worth)."""


def _builders(name: str) -> tuple[re.Pattern[str], ...]:
    n = re.escape(name)
    return (
        # sprintf(cmd, "gzip -dc %s", path) / snprintf(cmd, sizeof cmd, "...%s", path)
        re.compile(
            rf"\b(?:std::)?v?sn?printf\s{{0,2}}\(\s{{0,2}}{n}\s{{0,2}},.{{0,200}}%[-0-9.]{{0,6}}s.{{0,80}}\"\s{{0,2}},\s{{0,2}}[^\"]"
        ),
        # strcat(cmd, path) / strncpy(cmd, user, n): a variable, not a literal, appended
        re.compile(
            rf"\b(?:strn?cat|strn?cpy|strlcat|strlcpy)\s{{0,2}}\(\s{{0,2}}{n}\s{{0,2}},\s{{0,2}}[A-Za-z_(*&]"
        ),
        # C++: cmd = "rm " + path; std::string cmd = std::string("x") + y; cmd += path (any `+`
        # into a variable later run as a command is concatenation, not arithmetic)
        re.compile(
            rf"(?<![\w.]){n}\s{{0,2}}(?:\+=\s{{0,2}}[A-Za-z_(]|=(?!=)[^;]{{0,200}}[\w)\]\"]\s{{0,2}}\+\s{{0,2}}[A-Za-z_(\"])"
        ),
        # std::ostringstream cmd; cmd << "convert " << path
        re.compile(
            rf"(?<![\w.]){n}\s{{0,2}}<<[^;]{{0,200}}<<\s{{0,2}}[A-Za-z_(]|(?<![\w.]){n}\s{{0,2}}<<\s{{0,2}}[A-Za-z_(]"
        ),
    )


CALL_TYPES = frozenset({"call_expression"})
INLINE_BUILT = re.compile(r"[\")]\s{0,2}\+\s{0,2}[A-Za-z_(]|[\w)\]]\s{0,2}\+\s{0,2}\"")


def _functions_touched(ctx: CheckContext) -> Iterator[ts.Node]:
    if ctx.tree is None or not ctx.added:
        return
    rows = sorted(n - 1 for n in ctx.added)
    stack = [ctx.tree.root_node]
    while stack:
        node = stack.pop()
        first, last = node.start_point[0], node.end_point[0]
        if not any(first <= row <= last for row in rows):
            continue
        if node.type in FUNCTION_TYPES:
            yield node
            continue
        stack.extend(node.named_children)


def _built_at(ctx: CheckContext, name: str, function: ts.Node, call_line: int) -> int | None:
    """The last line above the call (in its function) that builds ``name`` from a variable."""
    builders = _builders(name)
    first = max(function.start_point[0] + 1, call_line - MAX_LOOKBACK)
    for number in range(call_line - 1, first - 1, -1):
        text = ctx.line(number)
        if any(b.search(text) for b in builders):
            return None if QUOTED.search(text) else number
    return None


def find_c_shell_injection(ctx: CheckContext) -> Iterator[Hit]:
    for function in _functions_touched(ctx):
        for call in nodes_of(function, CALL_TYPES):
            callee = call.child_by_field_name("function")
            arguments = call.child_by_field_name("arguments")
            if callee is None or arguments is None or ctx.node_text(callee) not in SHELL_SINKS:
                continue
            if not arguments.named_children:
                continue
            command = ctx.node_text(arguments.named_children[0])
            call_line = call.start_point[0] + 1
            sink = ctx.node_text(callee).rsplit(":", 1)[-1]
            built: int | None
            if INLINE_BUILT.search(command) and not QUOTED.search(command):
                built, what = call_line, "is concatenated from variable text"
            else:
                variable = COMMAND_VARIABLE.match(command)
                built = _built_at(ctx, variable.group(1), function, call_line) if variable else None
                what = f"is built from variable text on line {built}"
            if built is None:
                continue
            line = next((n for n in (built, call_line) if ctx.is_added(n)), None)
            if line is None:
                continue
            yield ctx.hit(
                call if line == call_line else _line_node(ctx, line, call),
                f"`{sink}` runs its command through the shell, and the command {what}: a name "
                "holding `;`, `$(...)` or a quote runs other commands. Run the program with an "
                "argument vector (`execvp`/`posix_spawn`), or quote every piece.",
            )


def _line_node(ctx: CheckContext, line: int, fallback: ts.Node) -> ts.Node:
    """The first named node that starts on ``line`` (the building statement)."""
    if ctx.tree is None:
        return fallback
    text = ctx.line(line)
    column = len(text) - len(text.lstrip())
    node = ctx.tree.root_node.descendant_for_point_range((line - 1, column), (line - 1, column))
    while (
        node is not None and node.parent is not None and node.parent.start_point == node.start_point
    ):
        if node.parent.type in ("compound_statement", "translation_unit"):
            break
        node = node.parent
    return node if node is not None else fallback


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "c.shell-injection",
            ("c", "cpp"),
            Severity.WARNING,
            "security",
            "`system`/`popen` running a command built with sprintf/strcat/`+` from variable text",
            confidence=0.75,
        ),
        find_c_shell_injection,
    ),
)
