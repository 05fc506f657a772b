"""Messages that state no defect are not findings; messages that name one are kept."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fakeopenai import FakeOpenAI, Reply  # noqa: E402
from tactful.server import changes  # noqa: E402
from tactful.server.llm.claims import names_question, states_no_defect  # noqa: E402
from tactful.server.session import review_once  # noqa: E402
from tactful.server.settings import GateSettings, LlmSettings, Settings  # noqa: E402


@pytest.mark.parametrize(
    "message",
    [
        "The new version does not skip any check, call, branch or error path that the old version had.",
        "The new version does not change any limit move by one (`<`/`<=`, `+ 1`/`- 1`, slice or range ends)`",
        "The new version checks if the Python version is at least 3.10, which is a performance optimization.",
        "No issues were found in this change.",
        "There are no defects here. The change does not introduce any new behaviour.",
        "The code is well-structured and follows PEP 8 conventions.",
    ],
)
def test_a_message_saying_nothing_is_wrong_is_recognised(message: str) -> None:
    assert states_no_defect(message)


@pytest.mark.parametrize(
    "message",
    [
        "Inverted condition: the old code returned small values unchanged; now large ones are.",
        "The new version does not skip any check. However, `count` is now compared with `<=`, so the"
        " last chunk is dropped.",
        "The new code does not use any lock, so two writers can interleave.",
        "Dropped check: `if not items` was removed, so an empty list now raises IndexError.",
        "This does not handle any error raised by `open`.",
        "",
    ],
)
def test_a_message_naming_a_problem_is_kept(message: str) -> None:
    assert not states_no_defect(message)


def test_review_drops_the_answer_that_nothing_is_wrong(git_repo, tmp_path: Path) -> None:
    git_repo.write("m.py", "def f(x):\n    return x + 1\n")
    git_repo.commit("base")
    git_repo.write("m.py", "def f(x):\n    return x + 2\n")
    said = [
        ("The new version does not skip any check that the old version had.", "return x + 2"),
        ("Changed boundary: the old code added 1; now 2 is added.", "return x + 2"),
    ]
    reply = {
        "findings": [
            {"category": "correctness", "confidence": 0.9, "message": m, "existing_code": c}
            for m, c in said
        ]
    }
    with FakeOpenAI(default=Reply.json(reply)) as server:
        llm = LlmSettings(base_url=server.base_url, api_key="k", model="fake", max_retries=0)
        settings = Settings(
            llm=llm, gate=GateSettings(enabled=False), cache_dir=str(tmp_path / "c")
        )
        result = review_once(changes.from_worktree(git_repo.root), settings)
    assert [f.message for f in result.findings if f.source == "llm"] == [said[1][0]]
    assert dict(result.coverage.counters)["llm.dropped.no-defect-claimed"] == 1


@pytest.mark.parametrize(
    ("message", "named"),
    [
        ("Dropped check: the new version skips the check for negative indices.", True),
        ("Inverted condition: the new version tests `> 0` instead of a positive completion.", True),
        ("Removed check for auto-commit before clearing warnings.", True),
        ("Off-by-one: the last chunk is one short.", True),
        ("The new version skips the check for values less than the first power.", False),
        ("The code is well-structured.", False),
    ],
)
def test_v2_messages_must_open_with_their_question(message: str, named: bool) -> None:
    assert names_question(message) is named


def test_v2_review_keeps_only_findings_that_name_their_question(git_repo, tmp_path: Path) -> None:
    git_repo.write("m.py", "def f(x):\n    return x + 1\n")
    git_repo.commit("base")
    git_repo.write("m.py", "def f(x):\n    y = x * 3\n    return y + 2\n")
    said = ["The new version triples x.", "Changed boundary: the old code added 1; now 2 is added."]
    quotes = ["y = x * 3", "return y + 2"]
    reply = {
        "findings": [
            {"category": "correctness", "confidence": 0.9, "message": m, "existing_code": q}
            for m, q in zip(said, quotes, strict=True)
        ]
    }
    for version, kept in (("review.v2", said[1:]), ("review.v1", said)):
        with FakeOpenAI(default=Reply.json(reply)) as server:
            llm = LlmSettings(
                base_url=server.base_url, api_key="k", model="fake", max_retries=0,
                prompt_version=version,
            )  # fmt: skip
            cache = str(tmp_path / version)
            settings = Settings(llm=llm, gate=GateSettings(enabled=False), cache_dir=cache)
            result = review_once(changes.from_worktree(git_repo.root), settings)
        assert [f.message for f in result.findings if f.source == "llm"] == kept, version
