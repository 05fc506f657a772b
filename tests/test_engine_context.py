"""What the review session sends the model, and what the model's answers do to the gate.

A real multi-file git repository, the real repository index and the real ``openai`` SDK
against a scripted OpenAI-compatible server on 127.0.0.1 (tests/fakeopenai.py).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fakeopenai import FakeOpenAI, Recorded, Reply  # noqa: E402
from tactful.analyzers.context import build_context  # noqa: E402
from tactful.server import changes  # noqa: E402
from tactful.server.feedback.store import FeedbackStore  # noqa: E402
from tactful.server.index import RepoIndex  # noqa: E402
from tactful.server.session import ReviewSession, review_once  # noqa: E402
from tactful.server.settings import FeedbackSettings, GateSettings, LlmSettings, Settings  # noqa: E402

UTIL = "def scale(x):\n    return x * 2\n\n\ndef clamp(x):\n    return max(0, x)\n"
GEOMETRY_OLD = "from util import scale\n\n\ndef area(w, h):\n    return scale(w) * h\n"
GEOMETRY_NEW = (
    "from util import clamp, scale\n\n\ndef area(w, h):\n    return clamp(scale(w) * h)\n"
)
SHAPES = "from geometry import area\n\n\ndef square(side):\n    return area(side, side)\n\n\ndef plot(width, height):\n    return area(width, height)\n"
REPORTS = "from shapes import square\n\n\ndef summary(n):\n    return square(n)\n"


@pytest.fixture
def repo(git_repo):
    git_repo.write("util.py", UTIL)
    git_repo.write("geometry.py", GEOMETRY_OLD)
    git_repo.write("shapes.py", SHAPES)
    git_repo.write("reports.py", REPORTS)
    git_repo.commit("base")
    git_repo.write("geometry.py", GEOMETRY_NEW)
    return git_repo.root


def settings_for(server: FakeOpenAI, tmp_path: Path, **llm: object) -> Settings:
    values: dict[str, object] = {
        "base_url": server.base_url,
        "api_key": "test-key",
        "model": "fake",
        "max_retries": 0,
    }
    values.update(llm)
    return Settings(
        llm=LlmSettings(**values),  # type: ignore[arg-type]
        gate=GateSettings(enabled=False),
        cache_dir=str(tmp_path / "cache"),
    )


def review_prompts(server: FakeOpenAI) -> list[str]:
    return [r.prompt for r in server.requests if "area" in r.prompt and _schema_name(r) == "review"]


def _schema_name(request: Recorded) -> str:
    fmt = request.body.get("response_format") or {}
    return str((fmt.get("json_schema") or {}).get("name", ""))


def test_prompt_has_the_units_callers_and_callees(repo: Path, tmp_path: Path) -> None:
    with FakeOpenAI(default=Reply.json({"findings": []})) as server:
        review_once(changes.from_worktree(repo), settings_for(server, tmp_path))
        [prompt] = review_prompts(server)
    assert "Callers (who calls this):" in prompt and "Callees (what this calls):" in prompt
    assert "shapes.py:5 in `square`" in prompt and "shapes.py:9 in `plot`" in prompt
    assert "`scale`" in prompt and "`clamp`" in prompt
    assert "reports.py" in prompt  # the second ring: who calls a caller
    assert "left out" not in prompt


def test_a_tiny_budget_drops_the_least_relevant_first_and_says_so(
    repo: Path, tmp_path: Path
) -> None:
    # What the budget must hold: the unit's code (new and old) and its single most relevant neighbour.
    index = RepoIndex(repo, Settings(cache_dir=str(tmp_path / "index-cache")))
    index.build()
    change = changes.from_worktree(repo)
    unit = next(
        u
        for u in review_once(change, Settings(cache_dir=str(tmp_path / "c"))).units
        if u.name == "area"
    )
    calls = index.unit_context(unit)
    full = build_context(unit, calls.callers, calls.callees, 100_000)
    neighbours = [item for item in full.items if item.kind in ("caller", "callee")]
    assert len(neighbours) >= 4
    budget = (
        sum(item.tokens for item in full.items if item.kind.endswith("code")) + neighbours[0].tokens
    )
    with FakeOpenAI(default=Reply.json({"findings": []})) as server:
        settings = settings_for(server, tmp_path, context_tokens=budget)
        review_once(change, settings)
        [prompt] = review_prompts(server)
    assert neighbours[0].text in prompt  # the most relevant neighbour survives
    assert all(item.text not in prompt for item in neighbours[1:])
    assert f"(left out to fit {budget} tokens: " in prompt
    listed = prompt.split(f"(left out to fit {budget} tokens: ", 1)[1].split(")\n", 1)[0]
    assert listed.count(";") == len(neighbours) - 2  # every other neighbour is named
    assert (
        full.items[0].relevance
        >= neighbours[0].relevance
        >= max(n.relevance for n in neighbours[1:])
    )


# A change that gate stage 1 finds worth a model call (a one-line edit is not).
GEOMETRY_WORTH_A_CALL = (
    "from util import scale\n\n\ndef area(w, h):\n    # TODO: negative sizes\n    result = scale(w) * h\n"
    "    if result < 0:\n        result = 0\n    return result\n"
)
FINDING = {"category": "correctness", "confidence": 0.6, "message": "Changed boundary: clamping hides a negative width.",
           "existing_code": "result = 0"}  # fmt: skip


def scripted(score: float):
    def reply(request: Recorded) -> Reply:
        if _schema_name(request) == "critique":
            return Reply.json({"scores": [{"id": 0, "score": score, "reason": "scripted"}]})
        if "area" in request.prompt:
            return Reply.json({"findings": [FINDING]})
        return Reply.json({"findings": []})

    return reply


def gate_event(repo: Path, tmp_path: Path, score: float) -> dict:
    """Review with the critique pass scoring the model's finding ``score``; the gate's logged decision."""
    db = tmp_path / f"fb-{score}.sqlite3"
    with FakeOpenAI(default=scripted(score)) as server:
        settings = dataclasses.replace(
            settings_for(server, tmp_path, critique=True),
            gate=GateSettings(enabled=True, exploration=0.0),
            feedback=FeedbackSettings(db_path=str(db)),
            cache_dir=str(tmp_path / f"cache-{score}"),
        )
        session = ReviewSession.open(settings, repo, client="test")
        try:
            result = review_once(changes.from_worktree(repo), settings, session=session)
        finally:
            session.close()
    [llm] = [f for f in result.findings + result.hidden if f.source == "llm"]
    assert result.features[llm.fingerprint]["critique_score"] == score
    store = FeedbackStore.open(db)
    try:
        [event] = [
            e
            for e in store.events()
            if e.fingerprint == llm.fingerprint and e.kind in ("shown", "hidden")
        ]
    finally:
        store.close()
    return {"probability": event.probability, **event.extra}


def test_the_critique_score_reaches_the_gate(repo: Path, tmp_path: Path) -> None:
    (repo / "geometry.py").write_text(GEOMETRY_WORTH_A_CALL)
    liked, disliked = gate_event(repo, tmp_path, 9.0), gate_event(repo, tmp_path, 1.0)
    assert liked["critique"] == 9.0 and disliked["critique"] == 1.0
    assert liked["llm_confidence"] == disliked["llm_confidence"] == 0.6
    assert liked["probability"] != disliked["probability"]  # the score is an input of the decision
