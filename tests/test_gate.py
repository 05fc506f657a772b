"""The display gate: stage 1, stage 2 decisions, online learning, persistence, the pipeline stage."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tactful.analyzers.model import ChangeUnit, Finding, Severity, Span
from tactful.server.changes import from_patch
from tactful.server.feedback import FeedbackEvent, FeedbackSink, FeedbackStore
from tactful.server.gate import Gate, GateHistory, UnitGate, gate_stage
from tactful.server.gate.features import shape_from_patch
from tactful.server.gate.metrics import expected_calibration_error, roc_auc
from tactful.server.gate.runtime import LoggedDecisions
from tactful.server.pipeline import ReviewResult
from tactful.server.settings import GateSettings, Settings

# llm_min_strength=0: these tests pin the learned gate's mechanics on LLM-sourced findings;
# the prior that hides a new model's weak findings is tested in test_llm_gate_prior.py.
STRICT = GateSettings(
    target_precision=0.5, exploration=0.0, hide_precision=0.5, llm_min_strength=0.0
)
"""The bare P(act) < 0.5 rule: hiding needs the prior (or the log) only 50% sure."""


def unit(path: str = "src/app.py", body: str = "def f(x):\n    return x + 1\n") -> ChangeUnit:
    lines = body.splitlines()
    return ChangeUnit(path=path, language="python", kind="function", name="f", old_span=Span.lines(1, 1),
                      new_span=Span.lines(1, len(lines)), old_source="def f(x):\n", new_source=body,
                      changed_new_lines=tuple(range(2, len(lines) + 1)), changed_old_lines=())  # fmt: skip


def finding(
    n: int, path: str = "src/app.py", category: str = "correctness", rule: str = "llm.correctness"
) -> Finding:
    return Finding(path=path, span=Span(2, 4, 2, 10), severity=Severity.WARNING, rule=rule, category=category,
                   source="llm", confidence=0.8, message="the result may be off by one", unit="f", code=f"x + {n}")  # fmt: skip


def test_stage1_scores_are_probabilities_and_see_the_new_file_shortcut() -> None:
    gate = UnitGate.from_prior()
    body = "+int add(int a, int b) {\n+  return a + b;\n+}\n"
    new_file = shape_from_patch("@@ -0,0 +1,3 @@\n" + body, "cpp")
    modified = shape_from_patch("@@ -10,3 +10,3 @@\n" + body, "cpp")
    assert 0.0 < gate.score(modified) < gate.score(new_file) < 1.0
    assert 0.0 < gate.score(unit(), "python") < 1.0


def test_a_rejected_fingerprint_is_never_shown_again() -> None:
    gate = Gate.open(GateSettings(target_precision=0.0, exploration=1.0), seed=1)
    item = finding(1)
    assert gate.decide(item, unit()).show
    gate.observe(FeedbackEvent.from_finding("rejected", item))
    for _ in range(20):
        decision = gate.decide(item, unit())
        assert not decision.show and decision.reason == "rejected-before" and not decision.explored


def test_exploration_shows_low_scores_and_logs_the_propensity() -> None:
    # Exploration draws among what the policy would hide (here: everything the prior doubts).
    gate = Gate.open(
        GateSettings(
            target_precision=0.999, exploration=0.05, hide_precision=0.5, llm_min_strength=0.0
        ),
        seed=3,
    )
    gate.suggestions.model.prior.clear()  # every P(act) = 0.5: the prior is 50% sure of each reject
    decisions = [gate.decide(finding(n), unit()) for n in range(400)]
    explored = [d for d in decisions if d.explored]
    assert explored and all(d.show and d.reason == "explore" for d in explored)
    # A new user explores more (warm-up); the logged propensity is the rate actually used.
    assert all(d.propensity == gate.suggestions.exploration_rate for d in explored)
    assert all(
        d.propensity == 1 - gate.suggestions.exploration_rate for d in decisions if not d.show
    )
    off = Gate.open(GateSettings(target_precision=0.999, exploration=0.0, hide_precision=0.5))
    off.suggestions.model.prior.clear()
    assert not any(off.decide(finding(n), unit()).show for n in range(50))


def test_learns_a_developer_who_rejects_everything_in_tests() -> None:
    gate = Gate.open(STRICT, user="dev")
    probe_test, probe_src = finding(999, path="tests/test_app.py"), finding(998)
    before = gate.suggestions.model.predict(
        gate.suggestions.features(probe_test, None, gate.history)
    )
    for n in range(120):
        path = "tests/test_app.py" if n % 2 else "src/app.py"
        item = finding(n, path=path, rule=("llm.correctness", "py.debug-print", "llm.style")[n % 3])
        gate.decide(item, unit(path))
        gate.observe(
            FeedbackEvent.from_finding("rejected" if n % 2 else "accepted", item, user="dev")
        )
    after_test = gate.decide(probe_test, unit("tests/test_app.py"))
    after_src = gate.decide(probe_src, unit())
    assert after_test.probability < before and not after_test.show
    assert after_src.show and after_src.probability > 0.7
    labels = [1] * 10 + [0] * 10
    probs = [gate.decide(finding(2000 + n), unit()).probability for n in range(10)] + [
        gate.decide(finding(3000 + n, path="tests/test_x.py"), unit("tests/test_x.py")).probability
        for n in range(10)
    ]
    assert roc_auc(labels, probs) == 1.0 and expected_calibration_error(labels, probs) < 0.3


def test_learned_state_and_history_survive_a_restart(tmp_path: Path) -> None:
    store = FeedbackStore.open(tmp_path / "f.db")
    gate = Gate.open(STRICT, store, user="dev")
    item = finding(5, category="style", rule="llm.style")
    for n in range(30):
        other = finding(100 + n, category="style", rule="llm.style")
        gate.decide(other, unit())
        event = FeedbackEvent.from_finding("accepted", other, user="dev")
        store.record(event)
        gate.observe(event)
    gate.save()
    expected = gate.decide(item, unit()).probability
    again = Gate.open(STRICT, store, user="dev")
    assert again.history.user_rate("rule:llm.style")[1] == 30
    assert abs(again.decide(item, unit()).probability - expected) < 1e-4
    store.close()


def test_history_counts_user_and_team_separately() -> None:
    history = GateHistory(user="u1", team="t")
    for user, kind in (("u1", "accepted"), ("u2", "rejected"), ("u2", "rejected")):
        history.observe(
            FeedbackEvent(kind=kind, fingerprint=f"{user}{kind}", rule="r", user=user, team="t")
        )
    assert history.user_rate("rule:r") == ((1 + 1.5) / 4, 1)
    assert history.team_rule_rate("r") == ((1 + 1.5) / 6, 3)


def test_gate_stage_hides_findings_and_logs_each_decision(tmp_path: Path) -> None:
    sink = FeedbackSink(tmp_path / "f.db", user="dev", client="cli")
    gate = Gate.open(STRICT, sink.store, user=sink.user)
    sink.subscribe(gate.observe)
    wanted, nit = finding(1), finding(2, category="style", rule="llm.style")
    nit = dataclasses.replace(nit, severity=Severity.INFO, confidence=0.3)
    result = ReviewResult(findings=[wanted, nit])
    gate_stage(gate, sink, "cli")(result, from_patch("", "no change"), Settings(gate=STRICT))
    assert result.findings == [wanted] and result.hidden == [nit]
    assert dict(result.coverage.counters) == {"gate.explored": 0, "gate.hidden": 1, "gate.shown": 1}
    sink.record("rejected", wanted, reason="wrong")
    assert sink.store is not None
    events = sink.store.events()
    assert [(e.kind, e.fingerprint) for e in events] == [
        ("shown", wanted.fingerprint), ("hidden", nit.fingerprint), ("rejected", wanted.fingerprint)]  # fmt: skip
    assert (
        events[1].probability is not None
        and events[1].probability < 0.5
        and events[1].propensity == 1.0
    )
    assert events[0].client == "cli" and events[0].reason == "above-threshold"
    # The probability each decision used is kept for ranking (headless --max-findings).
    assert result.features[nit.fingerprint]["gate.probability"] == events[1].probability
    assert result.features[wanted.fingerprint]["gate.probability"] == events[0].probability
    assert wanted.fingerprint in gate.history.rejected  # the gate learned through the sink
    sink.close()


def _security_error(n: int) -> Finding:
    return Finding(path="src/db.py", span=Span(2, 4, 2, 40), severity=Severity.ERROR, rule="py.sql-injection",
                   category="security", source="checks", message="SQL built from user input reaches execute()",
                   unit="f", code=f"cur.execute(f'select {n}')")  # fmt: skip


def test_an_error_security_finding_rejected_twenty_times_comes_back_when_its_code_changes() -> None:
    gate = Gate.open(STRICT, user="dev")
    for n in range(20):
        item = _security_error(n)
        gate.decide(item, unit("src/db.py"))
        gate.observe(FeedbackEvent.from_finding("rejected", item, user="dev"))
    # The model has learned this developer rejects the rule ...
    learned = gate.decide(_security_error(100), unit("src/db.py"))
    assert learned.probability < STRICT.target_precision
    # ... but the floor keeps a new occurrence (changed code) visible, and says why.
    assert learned.show and learned.reason == "floor"
    # The exact suggestion the developer rejected stays hidden.
    assert gate.decide(_security_error(3), unit("src/db.py")).reason == "rejected-before"
    # The floor is for error severity only: a warning of the same kind is hidden as learned.
    warning = dataclasses.replace(_security_error(101), severity=Severity.WARNING)
    assert not gate.decide(warning, unit("src/db.py")).show


def test_the_memory_of_logged_decisions_is_bounded_and_logs_each_suggestion_once(
    tmp_path: Path,
) -> None:
    sink = FeedbackSink(tmp_path / "f.db", user="dev", client="lsp")
    gate = Gate.open(STRICT, sink.store, user=sink.user)
    gate.logged = LoggedDecisions(capacity=3)
    stage = gate_stage(gate, sink, "lsp")
    items = [finding(n) for n in range(5)]
    for _ in range(2):  # an editor re-reviews the same buffer: each decision is logged once
        stage(ReviewResult(findings=items[:3]), from_patch("", "no change"), Settings(gate=STRICT))
    assert sink.store is not None
    assert [e.fingerprint for e in sink.store.events()] == [f.fingerprint for f in items[:3]]
    stage(ReviewResult(findings=items[3:]), from_patch("", "no change"), Settings(gate=STRICT))
    # Five suggestions decided, three remembered: the two oldest are forgotten ...
    assert len(gate.logged) == 3 and items[0].fingerprint not in gate.logged
    assert [f.fingerprint in gate.logged for f in items] == [False, False, True, True, True]
    # ... and one decided again is logged again (the log joins a verdict to its latest decision).
    stage(ReviewResult(findings=[items[0]]), from_patch("", "no change"), Settings(gate=STRICT))
    assert [e.fingerprint for e in sink.store.events()][-1] == items[0].fingerprint
    assert len(sink.store.events()) == 6 and len(gate.logged) == 3
    sink.close()


def test_a_units_stage1_score_follows_stage1_learning_from_its_cached_features() -> None:
    gate = Gate.open(STRICT, user="dev")
    changed = unit(body="def f(x):\n" + "".join(f"    y{n} = x * {n}\n" for n in range(30)))
    view = gate.suggestions._unit_view
    before = view(changed)[1]
    assert before == gate.units.score(changed)
    for _ in range(5):  # stage 1 learns: the unit's cached score must not go stale
        gate.units.update(changed, "python", False)
    after = view(changed)[1]
    assert after is not None and before is not None and after < before
    assert after == gate.units.score(changed)
