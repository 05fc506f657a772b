"""Replay of a hand-made feedback log gives exact figures; the floor survives 20 rejections."""

# The findings here are LLM-sourced; llm_min_strength=0 keeps the LLM prior (a cold-start
# rule, tests/test_llm_gate_prior.py) out of the learned gate's mechanics pinned below.

from __future__ import annotations

import dataclasses

from tactful.analyzers.model import ChangeUnit, Finding, Severity, Span
from tactful.server.feedback import FeedbackEvent
from tactful.server.gate import Gate
from tactful.server.gate.replay import Verdict, replay
from tactful.server.settings import GateSettings


def _finding(code: str, rule: str = "llm.correctness", category: str = "correctness",
             severity: Severity = Severity.WARNING, source: str = "llm") -> Finding:  # fmt: skip
    return Finding(path="src/app.py", span=Span(3, 0, 3, 9), severity=severity, rule=rule, category=category,
                   source=source, confidence=0.8, message="the loop skips the last element", unit="f", code=code)  # fmt: skip


def test_replay_of_a_hand_made_log_gives_exact_figures() -> None:
    a, b, c = (
        _finding("for i in range(n - 1)"),
        _finding("x = xs[1:]"),
        _finding("return total - 1"),
    )
    log = [("rejected", a), ("accepted", b), ("rejected", a), ("accepted", b), ("rejected", c)]
    verdicts = [
        Verdict(1_800_000_000 + 60 * n, "ana", "r", action, f) for n, (action, f) in enumerate(log)
    ]
    figures = replay(verdicts, GateSettings(llm_min_strength=0.0)).figures()
    # Nothing is hidden on five verdicts (the log cannot support a bound yet) except the one
    # suggestion the developer already rejected: A's second showing.
    assert figures["events"] == 5 and figures["users"] == 1
    assert figures["rejects_hidden"] == 1 / 3
    assert figures["accepts_kept"] == 1.0
    assert figures["hide_precision"] == 1.0
    # Replayed in time order, whatever order the file lists them in.
    assert replay(list(reversed(verdicts)), GateSettings(llm_min_strength=0.0)).figures() == figures


def _security_error(n: int) -> Finding:
    return _finding(f"cur.execute(f'select {n}')", rule="py.sql-injection", category="security",
                    severity=Severity.ERROR, source="checks")  # fmt: skip


def _unit(n: int) -> ChangeUnit:
    body = f"def f(cur):\n    cur.execute(f'select {n}')\n"
    return ChangeUnit(path="src/app.py", language="python", kind="function", name="f", old_span=Span.lines(1, 1),
                      new_span=Span.lines(1, 2), old_source="def f(cur):\n", new_source=body,
                      changed_new_lines=(2,), changed_old_lines=())  # fmt: skip


def test_an_error_security_finding_rejected_twenty_times_is_shown_after_its_code_changes() -> None:
    gate = Gate.open(GateSettings(), user="dev", seed=0)  # default hidePrecision and exploration
    rejected = _security_error(0)
    for _ in range(20):
        gate.decide(rejected, _unit(0))
        gate.observe(FeedbackEvent.from_finding("rejected", rejected, user="dev"))
    for n in range(1, 40):  # and 39 more occurrences rejected, so the log supports hiding the rule
        item = _security_error(n)
        gate.decide(item, _unit(n))
        gate.observe(FeedbackEvent.from_finding("rejected", item, user="dev"))
    assert not gate.decide(rejected, _unit(0)).show  # the exact suggestion stays hidden
    changed = gate.decide(_security_error(100), _unit(100))
    assert changed.show and changed.reason == "floor"
    assert gate.suggestions.policy_hides(_security_error(100), _unit(100), gate.history)
    warning = dataclasses.replace(_security_error(101), severity=Severity.WARNING)
    assert not gate.decide(warning, _unit(101)).show
