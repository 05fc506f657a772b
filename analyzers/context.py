"""What a reviewer sees beside a change unit: its code, its callers and its callees, in budget.

``build_context`` orders the material by relevance (the unit's new code, its old code,
direct callers, direct callees, then the second ring) and drops the least relevant pieces
first until the estimate fits the token budget; what was dropped is reported so a prompt can
say so. ``render`` turns the result into the text a terminal shows (``tactful context``);
``render_for_prompt`` leaves out the unit's new code, which the review prompt already shows
with line numbers. :class:`UnitCalls` is the typed record of a unit's callers and callees
that the review pipeline attaches to each change unit.

Token counts are estimated, not computed with a tokenizer (tiktoken downloads its vocabulary
at run time, and no offline BPE ships in our dependencies): ``CHARS_PER_TOKEN`` = 3.5 is the
commonly measured ratio of cl100k/o200k-style BPE tokenizers on source code (3.5 to 4
characters per token), taken at the low end so that the estimate errs towards overcounting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tactful.analyzers.callgraph.graph import CONFIDENCE_RANK, Callee, CallSite
from tactful.analyzers.model import ChangeUnit

CHARS_PER_TOKEN = 3.5
_MIN_CODE_TOKENS = 40


@dataclass(frozen=True, slots=True)
class UnitCalls:
    """The callers and callees of one change unit, as the repository index found them."""

    callers: tuple[CallSite, ...] = ()
    callees: tuple[Callee, ...] = ()


@dataclass(frozen=True, slots=True)
class ContextItem:
    kind: str
    """``new-code``, ``old-code``, ``caller`` or ``callee``."""
    text: str
    relevance: float
    tokens: int


@dataclass(frozen=True, slots=True)
class ReviewContext:
    unit: str
    path: str
    language: str | None
    items: tuple[ContextItem, ...]
    """Kept material, most relevant first."""
    dropped: tuple[str, ...]
    """One line per dropped piece (``caller app/x.py:12``), least relevant last."""
    tokens: int
    budget: int
    truncated: bool = False
    """The unit's own code was cut to fit."""

    def of_kind(self, kind: str) -> list[ContextItem]:
        return [item for item in self.items if item.kind == kind]


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def build_context(
    unit: ChangeUnit, callers: Sequence[CallSite], callees: Sequence[Callee], budget_tokens: int
) -> ReviewContext:
    """Assemble the unit's context within ``budget_tokens``."""
    kept: list[ContextItem] = []
    dropped: list[str] = []
    used = 0
    new_code, truncated = _fit_code(unit.new_source, max(_MIN_CODE_TOKENS, budget_tokens * 2 // 3))
    if new_code:
        item = _item("new-code", new_code, 100.0)
        kept.append(item)
        used += item.tokens
    if unit.old_source and unit.old_source != unit.new_source:
        item = _item("old-code", unit.old_source, 90.0)
        if used + item.tokens <= budget_tokens:
            kept.append(item)
            used += item.tokens
        else:
            dropped.append(f"old code of {unit.name} ({item.tokens} tokens)")
    ranked = [_caller_item(c) for c in callers] + [_callee_item(c) for c in callees]
    ranked.sort(key=lambda pair: -pair[0].relevance)
    for position, (item, _label) in enumerate(ranked):
        if used + item.tokens > budget_tokens:
            dropped.extend(lbl for _, lbl in ranked[position:])
            break
        kept.append(item)
        used += item.tokens
    return ReviewContext(
        unit.name,
        unit.path,
        unit.language,
        tuple(kept),
        tuple(dropped),
        used,
        budget_tokens,
        truncated,
    )


def render(context: ReviewContext) -> str:
    """The context as Markdown-ish text: code blocks, then callers, callees and what was left out."""
    fence = context.language or ""
    out = [f"## {context.unit} ({context.path})"]
    for kind, title in (("new-code", "New code"), ("old-code", "Old code")):
        for item in context.of_kind(kind):
            out += [f"### {title}", f"```{fence}", item.text.rstrip("\n"), "```"]
    for kind, title in (
        ("caller", "Callers (who calls this)"),
        ("callee", "Callees (what this calls)"),
    ):
        items = context.of_kind(kind)
        if items:
            out.append(f"### {title}")
            out.extend(item.text for item in items)
    if context.truncated:
        out.append("(the unit's code was shortened to fit the budget)")
    if context.dropped:
        out.append(f"(left out to fit {context.budget} tokens: " + "; ".join(context.dropped) + ")")
    return "\n".join(out) + "\n"


def render_for_prompt(context: ReviewContext, *, old_code: bool = True) -> str:
    """The context for a review prompt: old code, callers, callees, and what was left out.

    The unit's new code is counted in the budget but not repeated: the prompt shows it (and
    the old code too, for a template that shows both versions: ``old_code=False``).
    """
    fence = context.language or ""
    out: list[str] = []
    for item in context.of_kind("old-code") if old_code else ():
        out += ["Old code of the unit:", f"```{fence}", item.text.rstrip("\n"), "```"]
    for kind, title in (
        ("caller", "Callers (who calls this):"),
        ("callee", "Callees (what this calls):"),
    ):
        items = context.of_kind(kind)
        if items:
            out.append(title)
            out.extend(item.text for item in items)
    if context.dropped:
        out.append(f"(left out to fit {context.budget} tokens: " + "; ".join(context.dropped) + ")")
    return "\n".join(out)


def _item(kind: str, text: str, relevance: float) -> ContextItem:
    return ContextItem(kind, text, relevance, estimate_tokens(text) + 4)


def _caller_item(site: CallSite) -> tuple[ContextItem, str]:
    relevance = (60.0 if site.depth == 1 else 25.0) - 8 * CONFIDENCE_RANK[site.confidence]
    indent = "  " * (site.depth - 1)
    text = f"{indent}- {site.path}:{site.span.start_line} in `{site.caller}` [{site.confidence}]: {site.snippet}"
    return _item("caller", text, relevance), f"caller {site.path}:{site.span.start_line}"


def _callee_item(callee: Callee) -> tuple[ContextItem, str]:
    relevance = (55.0 if callee.depth == 1 else 20.0) - 8 * CONFIDENCE_RANK[callee.confidence]
    indent = "  " * (callee.depth - 1)
    text = (
        f"{indent}- `{callee.qualified_name}` {callee.path}:{callee.span.start_line} "
        f"[{callee.confidence}]: {callee.signature}"
    )
    return _item("callee", text, relevance), f"callee {callee.qualified_name}"


def _fit_code(code: str, max_tokens: int) -> tuple[str, bool]:
    """``code`` cut at a line boundary to at most ``max_tokens`` (estimated)."""
    if estimate_tokens(code) <= max_tokens:
        return code, False
    limit = int(max_tokens * CHARS_PER_TOKEN)
    cut = code.rfind("\n", 0, limit)
    return code[: cut if cut > 0 else limit] + "\n...", True
