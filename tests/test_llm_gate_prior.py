"""The display gate's prior for LLM findings, and self-consistency (``llm.samples``).

A real git repository, the real ``openai`` SDK against the scripted OpenAI-compatible server
(tests/fakeopenai.py), a real SQLite feedback log: a weak model's lone finding starts
hidden, agreement across samples makes it strong enough to show, and the developer's
verdicts on LLM findings hand the decision to the learned gate.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fakeopenai import FakeOpenAI, Recorded, Reply  # noqa: E402
from tactful.server import changes  # noqa: E402
from tactful.server.feedback.store import FeedbackStore  # noqa: E402
from tactful.server.gate import llm_prior  # noqa: E402
from tactful.server.session import ReviewSession, review_once  # noqa: E402
from tactful.server.settings import (  # noqa: E402
    FeedbackSettings,
    GateSettings,
    LlmSettings,
    Settings,
)

OLD = "def ratio(done, total):\n    if total == 0:\n        return 0.0\n    return done / total\n"
NEW = (  # big enough for gate stage 1 to send the unit to the model
    "def ratio(done, total):\n    if total != 0 or done is None:\n        return 0.0\n"
    "    result = done / total\n    return result\n"
)
FINDING = {
    "category": "correctness",
    "confidence": 0.8,
    "message": "Inverted condition: the old code returned 0.0 only when total was 0.",
    "existing_code": "if total != 0 or done is None:",
    "improved_code": "if total == 0 or done is None:",
}
FOUND = Reply.json({"findings": [FINDING]})
NOTHING = Reply.json({"findings": []})


def _settings(server: FakeOpenAI, tmp_path: Path, name: str, **gate: object) -> Settings:
    # No review deadline: three requests in a row on a loaded machine must not be cut.
    llm = LlmSettings(
        base_url=server.base_url, api_key="k", model="fake", max_retries=0, deadline_s=0.0
    )
    return Settings(
        llm=llm,
        gate=GateSettings(**{"exploration": 0.0, **gate}),  # type: ignore[arg-type]
        feedback=FeedbackSettings(db_path=str(tmp_path / "feedback.sqlite3")),
        cache_dir=str(tmp_path / f"cache-{name}"),
    )


def _review(git_repo, settings: Settings):  # type: ignore[no-untyped-def]
    session = ReviewSession.open(settings, git_repo.root, client="test")
    try:
        result = review_once(changes.from_worktree(git_repo.root), settings, session=session)
        [llm] = [f for f in result.findings + result.hidden if f.source == "llm"]
        return result, llm, session
    finally:
        session.close()


def _logged_reason(tmp_path: Path, fingerprint: str) -> str:
    store = FeedbackStore.open(tmp_path / "feedback.sqlite3")
    try:
        kinds = {e.kind: e.reason for e in store.events() if e.fingerprint == fingerprint}
    finally:
        store.close()
    return kinds.get("hidden") or kinds.get("shown") or ""


def _change(git_repo) -> None:  # type: ignore[no-untyped-def]
    git_repo.write("calc.py", OLD)
    git_repo.commit("base")
    git_repo.write("calc.py", NEW)


def test_a_lone_finding_of_a_new_model_starts_hidden(git_repo, tmp_path: Path) -> None:
    _change(git_repo)
    with FakeOpenAI(default=FOUND) as server:
        result, llm, _ = _review(git_repo, _settings(server, tmp_path, "a"))
    assert llm in result.hidden and llm not in result.findings
    assert _logged_reason(tmp_path, llm.fingerprint) == "llm-prior"
    assert result.features[llm.fingerprint]["llm.fix_validated"] == 1.0


def test_a_zero_strength_floor_shows_what_the_model_says(git_repo, tmp_path: Path) -> None:
    _change(git_repo)
    with FakeOpenAI(default=FOUND) as server:
        result, llm, _ = _review(git_repo, _settings(server, tmp_path, "b", llm_min_strength=0.0))
    assert llm in result.findings


def test_samples_that_agree_make_a_finding_strong_enough_to_show(git_repo, tmp_path: Path) -> None:
    _change(git_repo)
    with FakeOpenAI(default=FOUND) as server:
        settings = _settings(server, tmp_path, "c")
        settings = dataclasses.replace(settings, llm=dataclasses.replace(settings.llm, samples=3))
        result, llm, _ = _review(git_repo, settings)
        bodies = [r.body for r in server.requests]
    assert [(b.get("temperature"), b.get("seed")) for b in bodies] == [
        (0.0, None),
        (0.7, 1),
        (0.7, 2),
    ]
    assert result.features[llm.fingerprint]["llm.agreement"] == 1.0
    assert llm in result.findings


def test_what_one_sample_alone_found_is_dropped(git_repo, tmp_path: Path) -> None:
    _change(git_repo)
    replies = iter([FOUND, NOTHING, NOTHING])

    def script(recorded: Recorded) -> Reply:
        return next(replies)

    with FakeOpenAI(default=script) as server:
        settings = _settings(server, tmp_path, "d")
        settings = dataclasses.replace(settings, llm=dataclasses.replace(settings.llm, samples=3))
        session = ReviewSession.open(settings, git_repo.root, client="test")
        try:
            result = review_once(changes.from_worktree(git_repo.root), settings, session=session)
        finally:
            session.close()
    assert not [f for f in result.findings + result.hidden if f.source == "llm"]
    assert dict(result.coverage.counters)["llm.dropped.no-agreement"] == 1


def test_verdicts_on_llm_findings_hand_the_decision_to_the_learned_gate(
    git_repo, tmp_path: Path
) -> None:
    _change(git_repo)
    with FakeOpenAI(default=FOUND) as server:
        settings = _settings(server, tmp_path, "e", llm_prior_verdicts=2)
        result, llm, session = _review(git_repo, settings)
        assert llm in result.hidden
        reopened = ReviewSession.open(settings, git_repo.root, client="test")
        try:
            assert reopened.sink is not None
            for _ in range(2):  # the developer asked to see it and accepted it
                assert reopened.sink.record("accepted", llm)
        finally:
            reopened.close()
        again, llm_again, _ = _review(git_repo, settings)
    assert llm_again.fingerprint == llm.fingerprint
    assert llm_again in again.findings


def test_strength_rises_with_agreement_and_falls_for_a_broken_fix_or_a_style_remark() -> None:
    base = {"llm_confidence": 0.8, "llm.fix_validated": 1.0}
    lone = llm_prior.strength(base, "correctness")
    assert lone < 0.5 < llm_prior.strength({**base, "llm.agreement": 1.0}, "correctness")
    assert llm_prior.strength({**base, "llm.agreement": 1 / 3}, "correctness") < lone
    assert llm_prior.strength({**base, "llm.fix_validated": 0.0}, "correctness") < lone
    assert llm_prior.strength(base, "style") < lone
    assert llm_prior.strength({**base, "critique_score": 10.0}, "correctness") > lone
