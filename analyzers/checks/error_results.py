"""Results no longer checked: a call whose result the old code tested, now called with the
result ignored (``f(x);``, ``_ = f(x)``), and Rust's ``.ok();`` or ``let _ =`` discarding a
``Result``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tactful.analyzers.checks.base import JS_LIKE, CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.model import Severity, Span


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


PHP_ALWAYS_TRUE = frozenset(
    {
        "openlog", "closelog", "syslog", "array_walk", "array_walk_recursive", "shuffle",
        "sort", "rsort", "usort", "uasort", "uksort", "ksort", "krsort", "asort", "arsort",
        "natsort", "natcasesort",
    }
)  # fmt: skip
"""PHP functions declared to return ``true`` (8.2 and later): checking them tests nothing, so a
change that drops the check loses nothing (monolog 3 dropping ``if (!openlog(...)) throw``)."""


def _cannot_fail(call: str, language: str | None) -> bool:
    name = re.split(r"::|->|\\", call.split("(", 1)[0])[-1]
    return language == "php" and name in PHP_ALWAYS_TRUE


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
            if (
                call.startswith(("return", "if", "while", "for"))
                or _cannot_fail(call, ctx.language)
                or not _checked_before(removed, call, ctx.language)
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


RULES: tuple[Rule, ...] = (
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
