"""Change hygiene: merge-conflict markers and commented-out code (TODOs live in ``todos``)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.checks.purpose import in_rust_test, is_script
from tactful.analyzers.languages import count_error_nodes, parse
from tactful.analyzers.model import Fix, Severity, Span, TextEdit

CONFLICT_SIDE = re.compile(r"^(<{7}|>{7}|\|{7})(?: |$)")
CONFLICT_MIDDLE = re.compile(r"^={7}\s*$")


def find_conflict_markers(ctx: CheckContext) -> Iterator[Hit]:
    added = sorted(ctx.added)
    sides = [n for n in added if CONFLICT_SIDE.match(ctx.line(n))]
    if not sides:
        return  # a lone ======= is a heading underline, not a conflict
    for number in added:
        line = ctx.line(number)
        if number in sides or CONFLICT_MIDDLE.match(line):
            marker = line.rstrip()
            yield Hit(
                Span(number, 0, number, len(marker)),
                "A merge-conflict marker was committed; resolve the conflict and remove the markers.",
                marker,
            )


LINE_COMMENT = {
    "python": "#",
    "ruby": "#",
    "javascript": "//",
    "typescript": "//",
    "tsx": "//",
    "go": "//",
    "java": "//",
    "c": "//",
    "cpp": "//",
    "csharp": "//",
    "rust": "//",
    "php": "//",
}
# Wrappers that make a snippet of statements a complete file (the first that parses wins).
WRAPPERS: dict[str, tuple[tuple[str, str], ...]] = {
    "python": (("", ""),),
    "ruby": (("", ""),),
    "javascript": (("", ""), ("function _f() {\n", "\n}")),
    "typescript": (("", ""), ("function _f() {\n", "\n}")),
    "tsx": (("", ""), ("function _f() {\n", "\n}")),
    "go": (("package p\nfunc _() {\n", "\n}"), ("package p\n", "")),
    "java": (("class _C { void _m() {\n", "\n} }"), ("class _C {\n", "\n}")),
    "c": (("void _f(void) {\n", "\n}"), ("", "")),
    "cpp": (("void _f() {\n", "\n}"), ("", "")),
    "csharp": (("", ""), ("class _C { void _M() {\n", "\n} }"), ("class _C {\n", "\n}")),
    "rust": (("fn _f() {\n", "\n}"), ("", "")),
    "php": (("<?php\n", ""), ("<?php function _f() {\n", "\n}")),
}
DIRECTIVE = re.compile(
    r"noqa|type:|pylint|eslint|prettier|@ts-|nolint|#region|#endregion|fmt:|pragma|rubocop|clang-format|"
    r"istanbul|coverage|SPDX|Copyright|TODO|FIXME|XXX|^-\*-|^!|^/|^\[|^>",
    re.IGNORECASE,
)
CODE_SIGNAL = re.compile(
    r"[()\[\]{};=]|^\s*(return|import|from|if|for|while|def|class|end|let|const|var|fn|func)\b"
)
PROSE_START = re.compile(r"^[A-Za-z]+,? [a-z]+,? [a-z]+ [a-z]+\b")


def _comment_lines(ctx: CheckContext, marker: str) -> dict[int, str]:
    """Added lines that hold nothing but one line comment: number -> comment body."""
    bodies: dict[int, str] = {}
    for captures in ctx.touching("comment"):
        comment = captures["comment"][0]
        number = comment.start_point[0] + 1
        if comment.end_point[0] != comment.start_point[0] or not ctx.is_added(number):
            continue
        text = ctx.node_text(comment)
        if not text.startswith(marker) or text.startswith(("///", "//!", "#!")):
            continue  # another comment style, a doc comment or a shebang
        if ctx.line(number)[: ctx.col(comment.start_point)].strip():
            continue  # a trailing comment after code
        body = text[len(marker) :]
        if DIRECTIVE.search(body.strip()):
            continue  # tool directives and TODOs end a run of commented-out code
        bodies[number] = body[1:] if body.startswith(" ") else body
    return bodies


def _parses_as_code(language: str, snippet: str) -> bool:
    for prefix, suffix in WRAPPERS[language]:
        source = prefix + snippet + suffix
        tree = parse(language, source)
        if count_error_nodes(tree) == 0 and tree.root_node.named_child_count:
            return True
    return False


def _looks_like_code(language: str, body_lines: list[str]) -> bool:
    meaningful = [line for line in body_lines if line.strip()]
    if len(meaningful) < 2:
        return False
    if any(PROSE_START.match(line.strip()) for line in meaningful):
        return False
    if sum(1 for line in meaningful if CODE_SIGNAL.search(line)) * 2 < len(meaningful):
        return False
    return _parses_as_code(language, textwrap.dedent("\n".join(body_lines)))


def _rewrites_commented_code(ctx: CheckContext, run: list[int]) -> bool:
    """The run replaces commented-out code the old file already had (a block of commented
    examples edited): the lines were disabled before the change, which only reworded them."""
    marker = LINE_COMMENT[ctx.language or ""]
    for hunk in ctx.file.hunks:
        new_no, old_no, block_removed, touches = hunk.new_start, hunk.old_start, [], False
        for raw in (*hunk.lines, " "):  # a trailing context line closes the last block
            tag = raw[:1]
            if tag in ("+", "-"):
                if tag == "+":
                    touches = touches or run[0] <= new_no <= run[-1]
                    new_no += 1
                else:
                    block_removed.append(old_no)
                    old_no += 1
                continue
            if touches and any(
                _commented_code_line(ctx.old_line(n), marker) for n in block_removed
            ):
                return True
            block_removed, touches = [], False
            if tag == " ":
                new_no, old_no = new_no + 1, old_no + 1
    return False


def _commented_code_line(line: str, marker: str) -> bool:
    body = line.strip()
    return body.startswith(marker) and bool(CODE_SIGNAL.search(body[len(marker) :]))


def find_commented_out_code(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.language not in LINE_COMMENT:
        return
    if ctx.is_test_file or is_script(ctx):
        return  # lines toggled off in tests and scripts are not what a reviewer comments on
    bodies = _comment_lines(ctx, LINE_COMMENT[ctx.language])
    runs: list[list[int]] = []
    for number in sorted(bodies):
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    for run in runs:
        if not _looks_like_code(ctx.language, [bodies[n] for n in run]):
            continue
        if in_rust_test(ctx, run[0]) or _rewrites_commented_code(ctx, run):
            continue
        first, last = run[0], run[-1]
        start_col = len(ctx.line(first)) - len(ctx.line(first).lstrip())
        code = "\n".join(ctx.line(n).strip() for n in run)
        yield Hit(
            Span(first, start_col, last, len(ctx.line(last))),
            f"{len(run)} lines of commented-out code were added; delete them (version control keeps the history).",
            code,
            Fix("Delete the commented-out code", (TextEdit(Span.lines(first, last), ""),)),
        )


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.merge-conflict",
            (),
            Severity.ERROR,
            "correctness",
            "merge-conflict markers on added lines (any file)",
        ),
        find_conflict_markers,
    ),
    Rule(
        RuleInfo(
            "generic.commented-out-code",
            tuple(LINE_COMMENT),
            Severity.INFO,
            "maintainability",
            "two or more added comment lines that parse as code",
            True,
        ),
        find_commented_out_code,
    ),
)
