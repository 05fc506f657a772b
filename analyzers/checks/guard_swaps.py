"""Line-level swaps that drop a check: optional chaining made plain or asserted, Rust
``?``/``match`` replaced by ``.unwrap()``, C# ``as`` made a cast, C++ ``dynamic_cast`` made
unchecked, and a ``raise`` that became a plain ``return``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tactful.analyzers.checks.base import CheckContext, Hit
from tactful.analyzers.checks.edit_blocks import edit_blocks
from tactful.analyzers.checks.guard_uses import _BARE_RETURN, _MAX_GUARD_TEXT, _RAISE_LINE, _hit

# --- line-level swaps ------------------------------------------------------------------------
_OPTIONAL_CHAINS = {
    "javascript": ("?.", (".",)),
    "typescript": ("?.", (".", "!.")),
    "tsx": ("?.", (".", "!.")),
    "csharp": ("?.", (".", "!.")),
    "php": ("?->", ("->",)),
    "ruby": ("&.", (".",)),
}
_CHAIN_RECEIVER = re.compile(r"([\w$@]{1,80}(?:\(\))?)(?:\?\.|\?->|&\.)")
_RUST_UNCHECKED = re.compile(r"\.unwrap\(\)|\.expect\(\"(?:[^\"\\]|\\.){0,200}\"\)")
_RUST_CHECKED = re.compile(
    r"\.map_err\([^;]{0,200}?\)\?|\.ok_or(?:_else)?\([^;]{0,200}?\)\?|\?|\.unwrap_or_default\(\)|\.unwrap_or_else\([^;]{0,200}?\)|\.unwrap_or\([^;]{0,200}?\)"
)
# A poisoned lock or a panicked thread is conventionally a panic: not an error to propagate.
_RUST_IDIOMATIC_UNWRAP = re.compile(r"\.(?:lock|read|write|join)\(\)\s{0,4}\.(?:unwrap|expect)\(")
_RUST_MATCH = re.compile(
    r"^\s*(?:let\s+\w+\s*=\s*)?(?:match\s+(?P<m>[^{]{1,120}?)|if\s+let\s+(?:Some|Ok)\s*\(\s*\w+\s*\)\s*=\s*(?P<l>[^{]{1,120}?))\s*\{"
)
_CS_AS = re.compile(r"(?P<value>[\w.]{1,80})\s+as\s+(?P<type>[\w.]{1,80}(?:<[\w., ]{1,80}>)?)")
_CPP_CAST = re.compile(r"\b(?:static_cast|reinterpret_cast)<")


def _line_swaps(ctx: CheckContext) -> Iterator[Hit]:
    language = ctx.language or ""
    for hunk in ctx.file.hunks:
        for numbered, added in edit_blocks(hunk):
            removed = [text for _, text in numbered]
            old = {line.strip() for line in removed}
            # A raise made silent swaps one statement under the same condition. A block that
            # still raises, or adds code besides the `return` (a new condition), is a rewrite.
            others = {t.strip() for _, t in added if t.strip() and not _BARE_RETURN.match(t)}
            raises = any(_RAISE_LINE.match(t) for _, t in added) or not others <= old
            found = False
            for number, text in added:
                stripped = text.strip()
                message = _swap_message(language, old, removed, stripped, raises)
                if message:
                    found = True
                    yield _hit(ctx, number, message, 0.8)
            if (
                found
                or len(removed) + len(added) <= 2
                or len(removed) > _MAX_JOINED
                or len(added) > _MAX_JOINED
            ):
                continue
            # A statement split over lines (`x\n    .map_err(...)?;`) compares as one line.
            joined_old, joined_new = _joined(removed), _joined([text for _, text in added])
            message = _swap_message(language, {joined_old}, [joined_old], joined_new, raises)
            if message:
                number = next(
                    (n for n, text in added if _RUST_UNCHECKED.search(text) or "!" in text),
                    added[0][0],
                )
                yield _hit(ctx, number, message, 0.8)

    if language == "rust":
        yield from _rust_match_to_unwrap(ctx)


def _rust_match_to_unwrap(ctx: CheckContext) -> Iterator[Hit]:
    """A `match`/`if let` over several lines (some kept as context) that became `.unwrap()`."""
    for hunk in ctx.file.hunks:
        old_side = [(raw[:1], raw[1:]) for raw in hunk.lines if raw[:1] in (" ", "-")]
        new_side: list[tuple[int, str]] = []
        number = hunk.new_start
        for raw in hunk.lines:
            if raw[:1] in (" ", "+"):
                new_side.append((number, raw[1:]))
                number += 1
        unwraps = [(n, t) for n, t in new_side if ctx.is_added(n) and _RUST_UNCHECKED.search(t)]
        if not unwraps:
            continue
        new_joined = _joined([t for _, t in new_side])
        for index, (tag, text) in enumerate(old_side):
            if (
                tag != "-"
                or not re.match(r"^\s*(?:let\s+\w+\s*=\s*)?(?:match|if\s+let)\b", text)
                or "{" in text
            ):
                continue
            match = _RUST_MATCH.match(_joined([t for _, t in old_side[index : index + 8]]))
            value = match and (match.group("m") or match.group("l"))
            if value and re.search(
                re.escape(value.strip()) + r"\s{0,4}\.(?:unwrap|expect)\(", new_joined
            ):
                message = f"The `match`/`if let` on `{value.strip()}` became `.unwrap()`/`.expect()`, so the case it handled now panics."
                yield _hit(ctx, unwraps[0][0], message, 0.8)
                break


_MAX_JOINED = 12


def _joined(lines: list[str]) -> str:
    """Lines of one statement as one line: no break before ``.``/``?``/``)``, none after ``(``."""
    text = " ".join(line.strip() for line in lines if line.strip())
    text = re.sub(r" (?=[.?)])", "", text)
    return re.sub(r"(?<=\() ", "", text)


_JS_ASSERTION = re.compile(r"(?<=[\w$)\]])!(?=[.(\[])")


def _js_plain(line: str) -> str:
    """The line with optional chaining and non-null assertions made plain: `a?.b?.(c)` and `a!.b!(c)` are `a.b(c)`."""
    return _JS_ASSERTION.sub("", line.replace("?.(", "(").replace("?.[", "[").replace("?.", "."))


def _swap_message(
    language: str, old: set[str], removed: list[str], new: str, still_raises: bool = False
) -> str | None:
    if _BARE_RETURN.match(new) and not still_raises:
        # `raise StopIteration` -> `return` is the PEP 479 fix for generators, not a dropped failure
        thrown = next(
            (line for line in removed if _RAISE_LINE.match(line) and "StopIteration" not in line),
            None,
        )
        if thrown is not None and not any(_BARE_RETURN.match(line) for line in removed):
            return (
                f"`{' '.join(thrown.split())[:_MAX_GUARD_TEXT]}` became a plain `return`, so this failure is now "
                "silent: callers that relied on the exception carry on as if the call succeeded."
            )
    chain = _OPTIONAL_CHAINS.get(language)
    if language in ("javascript", "typescript", "tsx") and "?." not in new:
        for line in old:
            if "?." in line and _js_plain(line) == _js_plain(new):
                receiver = _CHAIN_RECEIVER.search(line)
                what = f"`{receiver.group(1)}`" if receiver else "the receiver"
                how = "asserted non-null" if "!" in new else "plain access"
                return (
                    f"The optional chaining `?.` that tolerated a missing {what} became {how}, "
                    f"so this line now throws when {what} is null or undefined."
                )
    if chain is not None:
        safe, unsafe = chain
        for replacement in unsafe:
            candidate = new.replace(replacement, safe) if replacement != "." else None
            for line in old:
                if safe not in line or line.count(safe) <= new.count(safe):
                    continue
                if (candidate is not None and candidate == line) or line.replace(
                    safe, replacement
                ) == new:
                    receiver = _CHAIN_RECEIVER.search(line)
                    what = f"`{receiver.group(1)}`" if receiver else "the receiver"
                    how = "asserted non-null" if replacement == "!." else "plain member access"
                    return (
                        f"The optional chaining `{safe}` that tolerated a missing {what} became {how}, "
                        f"so this line now throws when {what} is null or undefined."
                    )
    if language == "rust" and _RUST_UNCHECKED.search(new):
        if any(
            _RUST_CHECKED.sub("\x00", line) == _RUST_UNCHECKED.sub("\x00", new)
            for line in old
            if line != new
        ):
            return "`.unwrap()`/`.expect()` replaced error handling (`?` or a fallback), so this now panics where it used to recover or propagate."
        # The same call used as is before now needs `.unwrap()`: its result became a Result or
        # Option (an API change), and that failure now panics instead of reaching the caller.
        bare = _RUST_UNCHECKED.sub("", new)
        if bare != new and bare in old and "(" in bare and not _RUST_IDIOMATIC_UNWRAP.search(new):
            return (
                "`.unwrap()`/`.expect()` was added to a call whose value was used as is before, so the "
                "failure it can now report panics here; return it to the caller (`?`) instead."
            )
        for line in removed:
            match = _RUST_MATCH.match(line)
            value = match and (match.group("m") or match.group("l"))
            if value and re.search(re.escape(value.strip()) + r"\s{0,4}\.(?:unwrap|expect)\(", new):
                return f"The `match`/`if let` on `{value.strip()}` became `.unwrap()`/`.expect()`, so the case it handled now panics."
    if language == "csharp":
        for line in old:
            found = _CS_AS.search(line)
            if found and re.search(
                rf"\(\s{{0,2}}{re.escape(found.group('type'))}\s{{0,2}}\)\s{{0,2}}{re.escape(found.group('value'))}\b",
                new,
            ):
                return (
                    f"`{found.group('value')} as {found.group('type')}` (null on a mismatch) became a cast, "
                    "which throws InvalidCastException instead of letting the code check for null."
                )
    if language == "cpp" and _CPP_CAST.search(new):
        candidate = re.sub(r"\b(?:static_cast|reinterpret_cast)<", "dynamic_cast<", new)
        if candidate in old:
            return "`dynamic_cast` became an unchecked cast, so a wrong dynamic type is no longer caught (no null or exception) and is undefined behaviour."
    return None
