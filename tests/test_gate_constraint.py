"""CDHF's hide constraint: hides no more than the developer's IPW-weighted log supports."""

# The findings here are LLM-sourced; llm_min_strength=0 keeps the LLM prior (a cold-start
# rule, tests/test_llm_gate_prior.py) out of the learned gate's mechanics pinned below.

from __future__ import annotations

import math
import random
from pathlib import Path

from tactful.analyzers.model import ChangeUnit, Finding, Severity, Span
from tactful.server.feedback import FeedbackEvent, FeedbackSink
from tactful.server.gate import Gate
from tactful.server.gate.constraint import (
    MAX_WEIGHT,
    MIN_SUPPORT,
    HideConstraint,
    Outcome,
    outcomes_from_log,
)
from tactful.server.settings import GateSettings, Settings, settings_from_dict


def _finding(n: int, rule: str = "llm.style", category: str = "style") -> Finding:
    return Finding(path="src/app.py", span=Span(2, 0, 2, 9), severity=Severity.INFO, rule=rule,
                   category=category, source="llm", confidence=0.6, message=f"{rule} fired",
                   unit="f", code=f"x = {n}")  # fmt: skip


def _unit() -> ChangeUnit:
    return ChangeUnit(path="src/app.py", language="python", kind="function", name="f",
                      old_span=Span.lines(1, 1), new_span=Span.lines(1, 2), old_source="def f():\n",
                      new_source="def f():\n    x = 1\n", changed_new_lines=(2,), changed_old_lines=())  # fmt: skip


def _ipw(outcomes: list[Outcome], threshold: float) -> tuple[float, float]:
    """(IPW share rejected, Kish effective support) of the outcomes at or above ``threshold``."""
    above = [o for o in outcomes if o.reject_probability >= threshold]
    weights = [min(1 / o.propensity, MAX_WEIGHT) for o in above]
    share = sum(w for w, o in zip(weights, above, strict=True) if o.rejected) / sum(weights)
    return share, sum(weights) ** 2 / sum(w * w for w in weights)


def test_the_threshold_is_the_lowest_one_whose_ipw_estimate_meets_the_target() -> None:
    rng = random.Random(7)
    for trial in range(30):
        outcomes = []
        for _ in range(rng.randint(20, 400)):
            r = rng.random()
            explored = r > 0.6 and rng.random() < 0.5
            outcomes.append(
                Outcome(r, 0.1 if explored else 1.0, rng.random() < r ** (0.3 + trial / 30))
            )
        constraint = HideConstraint(0.95)
        constraint.extend(outcomes)
        candidates = sorted({o.reject_probability for o in outcomes})
        qualify = [t for t in candidates if _ipw(outcomes, t)[0] >= 0.95
                   and _ipw(outcomes, t)[1] >= MIN_SUPPORT]  # fmt: skip
        if constraint.threshold is None:
            assert not qualify and not any(constraint.allows(t) for t in candidates)
            continue
        # The lowest qualifying threshold; it hides at or above it and above the margin only.
        assert constraint.threshold == min(qualify)
        support = _ipw(outcomes, constraint.threshold)[1]
        line = max(constraint.threshold, 0.5 + 0.5 / math.sqrt(support))
        assert all(constraint.allows(t) == (t >= line) for t in candidates)
        assert not constraint.allows(line - 1e-9)


def test_explored_outcomes_weigh_by_their_inverse_propensity() -> None:
    # 100 rejections seen only by exploration (1 in 4 shown) and 3 accepts shown by the policy.
    outcomes = [Outcome(0.9, 0.25, True) for _ in range(100)] + [
        Outcome(0.9, 1.0, False) for _ in range(3)
    ]
    weighted = HideConstraint(0.98)
    weighted.extend(outcomes)
    assert weighted.estimate is not None and abs(weighted.estimate.precision - 400 / 403) < 1e-12
    assert abs(weighted.estimate.support - 403**2 / 1603) < 1e-9
    # Unweighted the same log says 100/103 = 0.971, below 0.98: no hiding.
    unweighted = HideConstraint(0.98)
    unweighted.extend(Outcome(o.reject_probability, 1.0, o.rejected) for o in outcomes)
    assert unweighted.threshold is None and weighted.threshold == 0.9
    # A weight is clipped at MAX_WEIGHT: a 1% propensity counts as 1 in 5, not 1 in 100.
    clipped = HideConstraint(0.5)
    clipped.extend([Outcome(0.9, 0.01, True)] * 20 + [Outcome(0.9, 1.0, False)] * 20)
    assert clipped.estimate is not None and abs(clipped.estimate.precision - 100 / 120) < 1e-12


def test_until_the_log_supports_it_only_what_the_prior_is_sure_of_is_hidden() -> None:
    gate = Gate.open(GateSettings(exploration=0.0, llm_min_strength=0.0), user="dev")
    for n in range(10):  # 10 rejections: the bound needs 20
        item = _finding(n)
        assert gate.decide(item, _unit()).show
        gate.observe(FeedbackEvent.from_finding("rejected", item, user="dev"))
    probe = gate.decide(_finding(1000), _unit())
    assert probe.probability < 0.5 and probe.show and probe.reason == "unsupported"
    for n in range(10, 120):
        item = _finding(n)
        gate.decide(item, _unit())
        gate.observe(FeedbackEvent.from_finding("rejected", item, user="dev"))
    hidden = gate.decide(_finding(2000), _unit())
    assert not hidden.show and hidden.reason == "below-threshold"
    assert gate.suggestions.constraint.allows(1 - hidden.probability)


def test_propensities_are_logged_with_each_decision_and_used_after_a_restart(
    tmp_path: Path,
) -> None:
    settings = GateSettings(exploration=0.2, hide_precision=0.9, llm_min_strength=0.0)
    sink = FeedbackSink(tmp_path / "f.db", user="dev", client="cli")
    gate = Gate.open(settings, sink.store, user=sink.user, seed=5)
    gate.suggestions.constraint.extend(
        Outcome(0.55, 1.0, True, ("rule:llm.style",)) for _ in range(200)
    )  # hiding allowed (and the rule has been judged)
    from tactful.server.changes import from_patch
    from tactful.server.gate import gate_stage
    from tactful.server.pipeline import ReviewResult

    stage = gate_stage(gate, sink, "cli")
    findings = [_finding(n) for n in range(80)]
    result = ReviewResult(findings=list(findings))
    stage(result, from_patch("", "no change"), Settings(gate=settings))
    explored = [f for f in result.findings if f.fingerprint]
    for item in explored:
        sink.record("rejected", item)
    assert sink.store is not None
    events = sink.store.events()
    decisions = {e.fingerprint: e for e in events if e.kind in ("shown", "hidden")}
    assert len(decisions) == 80 and all(e.propensity is not None for e in decisions.values())
    shown_by_exploration = [e for e in decisions.values() if e.explored]
    assert shown_by_exploration and all(
        e.propensity == e.extra.get("propensity", e.propensity) for e in shown_by_exploration
    )
    assert {e.propensity for e in shown_by_exploration} == {gate.suggestions.exploration_rate}
    # The restarted gate rebuilds its outcomes from the log, each with the logged propensity.
    joined = outcomes_from_log(sink.store.iter_events(), sink.user)
    assert sorted(o.propensity for o in joined) == sorted(
        decisions[f.fingerprint].propensity or 1.0 for f in explored
    )
    again = Gate.open(settings, sink.store, user=sink.user)
    assert list(again.suggestions.constraint.outcomes) == joined
    sink.close()


def test_hide_precision_is_validated_with_a_one_line_error() -> None:
    settings, errors = settings_from_dict({"gate": {"hidePrecision": 1.5}}, Settings())
    assert settings.gate.hide_precision == 0.95 and len(errors) == 1 and "gate" in errors[0]
    assert (
        settings_from_dict({"gate": {"hidePrecision": 0.9}}, Settings())[0].gate.hide_precision
        == 0.9
    )


def test_a_stratum_is_certified_only_by_enough_clean_rejections() -> None:
    from tactful.server.gate.constraint import HideConstraint, Outcome

    constraint = HideConstraint(0.95)
    for _ in range(19):
        constraint.add(Outcome(0.1, 1.0, True, ("lang:python", "rule:r")))
    constraint.extend([Outcome(0.1, 1.0, False, ("rule:r",))] * 2)
    # 19 clean, but support 19 < 20; one more certifies. rule:r is 19 of 21 = 0.90.
    assert constraint.certifying(("lang:python",)) is None
    constraint.add(Outcome(0.1, 1.0, True, ("lang:python",)))
    assert constraint.certifying(("rule:r", "lang:python")) == "lang:python"
    assert constraint.certifying(("rule:r",)) is None and constraint.threshold is None
    # On 20 outcomes the margin is 0.5 / sqrt(20) = 0.11 above the model's hide line (0.5).
    assert constraint.certifying(("lang:python",), 0.61) is None
    assert constraint.certifying(("lang:python",), 0.62) == "lang:python"
    # One explored accept stands for five hidden ones: the stratum loses its certificate.
    constraint.add(Outcome(0.9, 0.05, False, ("lang:python",)))
    assert constraint.certifying(("lang:python",)) is None


def test_ordered_contexts_pool_adjacent_buckets() -> None:
    from tactful.server.gate.situation import ordinal_strata, own_bucket

    assert [own_bucket(s) for s in (0.0, 0.2, 0.5, 0.79, 0.8, 1.0)] == [
        "others", "others", "mixed", "mixed", "own", "own"]  # fmt: skip
    # Others' and mixed code pool into "own:to mixed"; mixed and own into "own:from mixed".
    assert ordinal_strata({"own": "others"}) == ["own:to mixed"]
    assert ordinal_strata({"own": "mixed"}) == ["own:to mixed", "own:from mixed"]
    assert ordinal_strata({"own": "own"}) == ["own:from mixed"]
    assert ordinal_strata({"hunk": "<=3", "pos": "10+", "lang": "go"}) == [
        "hunk:to 4-10", "pos:from 5-9"]  # fmt: skip


def test_the_part_of_a_stratum_the_model_would_hide_certifies_on_its_own() -> None:
    from tactful.server.gate.constraint import MODEL_HIDES

    constraint = HideConstraint(0.95, model_hides=0.5)
    # "src/" holds what the developer keeps (scored P(reject) 0.2 before each verdict) and
    # what they reject (scored 0.8): the stratum as a whole is 25 of 45 rejected.
    constraint.extend([Outcome(0.2, 1.0, False, ("area:src",))] * 20)
    constraint.extend([Outcome(0.8, 1.0, True, ("area:src",))] * 24)
    constraint.add(Outcome(0.5, 1.0, True, ("area:src",)))  # at the line: the model kept it
    share, lower, support = constraint.strata["area:src"].estimate()
    assert (share, support) == (25 / 45, 45.0)
    share, lower, support = constraint.strata["area:src" + MODEL_HIDES].estimate()
    assert (share, support) == (1.0, 24.0) and abs(lower - 24 / 25) < 1e-12
    assert constraint.certifying(("lang:python", "area:src")) == "area:src" + MODEL_HIDES
    # One accept the model had ranked as a reject, shown by exploration (weight 5), undoes it.
    constraint.add(Outcome(0.9, 0.1, False, ("area:src",)))
    share, lower, support = constraint.strata["area:src" + MODEL_HIDES].estimate()
    assert share == 24 / 29 and abs(support - 29**2 / 49) < 1e-12
    assert constraint.certifying(("area:src",)) is None


def test_model_hides_tallies_forget_evicted_outcomes() -> None:
    from tactful.server.gate.constraint import MODEL_HIDES

    constraint = HideConstraint(0.95, max_outcomes=20, model_hides=0.5)
    constraint.extend([Outcome(0.9, 1.0, False, ("rule:r",))] * 2)  # noisy accepts, oldest
    constraint.extend(Outcome(0.9, 1.0, True, ("rule:r",)) for _ in range(18))
    assert constraint.certifying(("rule:r",)) is None
    constraint.extend([Outcome(0.9, 1.0, True, ("rule:r",))] * 2)  # evicts them: 20 of 20
    for key in ("rule:r", "rule:r" + MODEL_HIDES):
        assert constraint.strata[key].estimate()[::2] == (1.0, 20.0)
    assert constraint.certifying(("rule:r",)) == "rule:r"
    # Rebuilt from the same outcomes, a constraint reaches the same certificates.
    again = HideConstraint(0.95, max_outcomes=20, model_hides=0.5)
    again.extend(constraint.outcomes)
    assert again.certified == constraint.certified == {"rule:r", "rule:r" + MODEL_HIDES}


def test_a_restarted_gate_reads_each_outcomes_strata_back_from_the_log(tmp_path: Path) -> None:
    from tactful.server.changes import from_patch
    from tactful.server.gate import gate_stage
    from tactful.server.gate.constraint import STRATA_KEY
    from tactful.server.gate.history import context_keys
    from tactful.server.pipeline import ReviewResult

    settings = GateSettings(exploration=0.0, llm_min_strength=0.0)
    sink = FeedbackSink(tmp_path / "f.db", user="dev", client="cli")
    gate = Gate.open(settings, sink.store, user=sink.user)
    findings = [_finding(n) for n in range(3)]
    result = ReviewResult(findings=list(findings))
    gate_stage(gate, sink, "cli")(result, from_patch("", "no change"), Settings(gate=settings))
    for item in findings:
        sink.record("rejected", item)
    assert sink.store is not None
    logged = [e for e in sink.store.events() if e.kind == "shown"]
    assert len(logged) == 3 and all(e.extra[STRATA_KEY] for e in logged)
    # The suggestion's context (rule, language, top directory, session position) is logged ...
    assert {"rule:llm.style", "lang:python", "area:src", "pos:0-4"} <= set(
        logged[0].extra[STRATA_KEY]
    )
    again = Gate.open(settings, sink.store, user=sink.user)
    outcomes = list(again.suggestions.constraint.outcomes)
    assert [o.strata for o in outcomes] == [tuple(e.extra[STRATA_KEY]) for e in logged]
    assert again.suggestions.constraint.strata["lang:python"].estimate()[::2] == (1.0, 3.0)
    sink.close()
    # ... and a log written before strata were logged counts in what its event still names.
    old = logged[0]
    old.extra.pop(STRATA_KEY)
    verdict = FeedbackEvent.from_finding("rejected", findings[0], user=sink.user)
    (outcome,) = outcomes_from_log([old, verdict], sink.user)
    assert outcome.strata == tuple(
        context_keys(old.rule, old.category, old.severity, old.path, None, old.repository).values()
    )


def test_nothing_learned_hides_a_rule_the_developer_never_judged() -> None:
    gate = Gate.open(GateSettings(exploration=0.0), user="dev")
    for n in range(120):  # everything so far rejected, all of one rule
        item = _finding(n)
        gate.decide(item, _unit())
        gate.observe(FeedbackEvent.from_finding("rejected", item, user="dev"))
    constraint = gate.suggestions.constraint
    assert constraint.threshold is not None
    assert not gate.decide(_finding(2000), _unit()).show
    # The global certificate covers every score, but not a rule with no verdicts yet.
    other = gate.decide(_finding(3000, rule="llm.naming", category="style"), _unit())
    assert other.probability < 0.5 and other.show and other.reason == "unsupported"
    assert not constraint.judged(("rule:llm.naming",)) and constraint.judged(("rule:llm.style",))
