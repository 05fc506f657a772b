"""Reviewer context: relevance order, the token budget, what gets dropped, rendering."""

from __future__ import annotations

from tactful.analyzers.callgraph import Callee, CallSite
from tactful.analyzers.context import CHARS_PER_TOKEN, build_context, estimate_tokens, render
from tactful.analyzers.model import ChangeUnit, Span

NEW = "def area(w, h, depth):\n    return w * h * depth\n"
OLD = "def area(w, h):\n    return w * h\n"
UNIT = ChangeUnit(
    "lib.py",
    "python",
    "function",
    "area",
    Span.lines(1, 2),
    Span.lines(1, 2),
    OLD,
    NEW,
    (1, 2),
    (1, 2),
)


def site(path: str, line: int, caller: str, confidence: str = "exact", depth: int = 1) -> CallSite:
    return CallSite(
        path,
        Span(line, 4, line, 20),
        f"x = area({line}, 2)",
        caller,
        "area",
        "lib.py",
        confidence,
        depth,
    )


def callee(name: str, confidence: str = "exact", depth: int = 1) -> Callee:
    return Callee(
        name,
        "m.py",
        Span.lines(3, 4),
        f"def {name}(a):",
        "function",
        confidence,
        depth,
        "lib.py",
        Span.lines(2, 2),
    )


CALLERS = [
    site("a.py", 10, "one"),
    site("b.py", 20, "two", "name-only"),
    site("c.py", 30, "three", depth=2),
]
CALLEES = [callee("mul"), callee("deep", depth=2)]


def test_everything_fits_in_relevance_order() -> None:
    context = build_context(UNIT, CALLERS, CALLEES, budget_tokens=2000)
    assert context.dropped == ()
    assert [item.kind for item in context.items] == [
        "new-code",
        "old-code",
        "caller",
        "callee",
        "caller",
        "caller",
        "callee",
    ]
    assert context.tokens == sum(item.tokens for item in context.items) <= 2000
    text = render(context)
    assert "### New code" in text and "### Old code" in text
    assert "- a.py:10 in `one` [exact]: x = area(10, 2)" in text
    assert "  - c.py:30 in `three` [exact]" in text  # depth 2 is indented
    assert "- `mul` m.py:3 [exact]: def mul(a):" in text


def test_least_relevant_dropped_first_and_reported() -> None:
    full = build_context(UNIT, CALLERS, CALLEES, budget_tokens=2000)
    tight = build_context(UNIT, CALLERS, CALLEES, budget_tokens=full.tokens - 1)
    assert tight.tokens <= full.tokens - 1
    assert tight.dropped == ("callee deep",)
    tighter = build_context(UNIT, CALLERS, CALLEES, budget_tokens=full.tokens - 40)
    assert tighter.dropped[-1] == "callee deep" and "caller b.py:20" in tighter.dropped
    assert [i.kind for i in tighter.items][:3] == ["new-code", "old-code", "caller"]
    assert "left out to fit" in render(tighter)


def test_huge_unit_is_cut_to_fit() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(2000))
    unit = ChangeUnit(
        "big.py",
        "python",
        "function",
        "big",
        None,
        Span.lines(1, 2001),
        "",
        "def big():\n" + body,
        (),
        (),
    )
    context = build_context(unit, CALLERS, [], budget_tokens=300)
    assert context.truncated and context.tokens <= 300
    assert render(context).count("...") >= 1


def test_token_estimate_is_the_documented_ratio() -> None:
    assert estimate_tokens("x" * 35) == 35 / CHARS_PER_TOKEN
    assert estimate_tokens("") == 0
