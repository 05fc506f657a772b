"""The ``review.v2`` prompt: old and new version side by side, defect questions, a token cap.

Prompt rendering is checked on change units from a real review of a real git repository;
what the session sends is checked against the scripted OpenAI-compatible server.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fakeopenai import FakeOpenAI, Reply  # noqa: E402
from tactful.analyzers.model import ChangeUnit  # noqa: E402
from tactful.server import changes  # noqa: E402
from tactful.server.llm.prompt import estimate_tokens, review_prompt  # noqa: E402
from tactful.server.session import review_once  # noqa: E402
from tactful.server.settings import GateSettings, LlmSettings, Settings, settings_from_dict  # noqa: E402

OLD = (
    "def pick(items, limit):\n"
    "    if not items:\n"
    "        return []\n"
    "    out = []\n"
    "    for item in items:\n"
    "        if len(out) >= limit:\n"
    "            break\n"
    "        out.append(item)\n"
    "    return out\n"
)
NEW = OLD.replace("len(out) >= limit", "len(out) > limit").replace(
    "    if not items:\n        return []\n", ""
)
CALLER = "from picker import pick\n\n\ndef first_three(rows):\n    return pick(rows, 3)\n"


@pytest.fixture
def repo(git_repo):
    git_repo.write("picker.py", OLD)
    git_repo.write("report.py", CALLER)
    git_repo.commit("base")
    git_repo.write("picker.py", NEW)
    return git_repo.root


def _unit(repo: Path, tmp_path: Path) -> ChangeUnit:
    result = review_once(changes.from_worktree(repo), Settings(cache_dir=str(tmp_path / "c")))
    return next(u for u in result.units if u.name == "pick")


def test_v2_shows_old_and_new_version_and_the_questions(repo: Path, tmp_path: Path) -> None:
    prompt = review_prompt(_unit(repo, tmp_path), context="- report.py:5 in `first_three`")
    system, user = (m["content"] for m in prompt.messages)
    old = user.split("## Old version", 1)[1].split("## New version", 1)[0]
    new = user.split("## New version", 1)[1].split("## Callers", 1)[0]
    assert "-  2 |     if not items:" in old and "-  6 |         if len(out) >= limit:" in old
    assert "+ 4 |         if len(out) > limit:" in new and "if not items" not in new
    assert "report.py:5 in `first_three`" in user
    for question in ("Dropped check", "Inverted condition", "Changed boundary", "Wrong variable"):
        assert question in system
    assert prompt.version == "review.v2"


def test_v1_stays_selectable(repo: Path, tmp_path: Path) -> None:
    prompt = review_prompt(_unit(repo, tmp_path), version="review.v1")
    user = prompt.messages[1]["content"]
    assert "## Removed lines (old file)" in user and "## Old version" not in user
    assert prompt.version == "review.v1"


def test_token_cap_cuts_context_then_narrows_the_code(repo: Path, tmp_path: Path) -> None:
    unit = _unit(repo, tmp_path)
    context = "\n".join(
        f"- caller{i}.py:{i} in `use{i}` [exact]: pick(rows, {i})" for i in range(200)
    )
    uncapped = review_prompt(unit, context=context)
    assert estimate_tokens(uncapped.chars) > 1_500
    capped = review_prompt(unit, context=context, max_tokens=1_500)
    assert estimate_tokens(capped.chars) <= 1_500
    user = capped.messages[1]["content"]
    assert "caller0.py" in user and "caller199.py" not in user  # most relevant (first) kept
    assert "(context cut to fit 1500 tokens)" in user
    assert "len(out) > limit" in user  # the change itself is never cut
    tight = review_prompt(unit, context=context, max_tokens=estimate_tokens(capped.chars) // 2)
    assert "caller0.py" not in tight.messages[1]["content"]
    assert "len(out) > limit" in tight.messages[1]["content"]


def test_session_sends_the_chosen_version_within_the_cap(repo: Path, tmp_path: Path) -> None:
    with FakeOpenAI(default=Reply.json({"findings": []})) as server:
        for version in ("review.v1", "review.v2"):
            llm = LlmSettings(
                base_url=server.base_url, api_key="k", model="fake", max_retries=0,
                prompt_version=version, max_prompt_tokens=1_500,
            )  # fmt: skip
            settings = Settings(
                llm=llm, gate=GateSettings(enabled=False), cache_dir=str(tmp_path / version)
            )
            review_once(changes.from_worktree(repo), settings)
        v1, v2 = (r.prompt for r in server.requests)
    assert "## Removed lines (old file)" in v1 and "Old code of the unit:" in v1
    assert "## Old version" in v2 and "Old code of the unit:" not in v2  # not shown twice
    assert "first_three" in v2  # the caller, from the call graph
    assert all(estimate_tokens(len(p)) <= 1_500 for p in (v1, v2))


def test_unknown_prompt_version_is_one_clear_error() -> None:
    settings, errors = settings_from_dict({"llm": {"promptVersion": "review.v9"}})
    assert settings.llm.prompt_version == "review.v2"  # the default stays
    assert any("llm.promptVersion" in e and "review.v1, review.v2" in e for e in errors)
