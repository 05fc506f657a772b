"""The LLM reviewer's gate features: confidence and whether the model's own fix validated.

A real git repository and the real ``openai`` SDK against the scripted OpenAI-compatible
server (tests/fakeopenai.py); the features are read where the display gate reads them.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fakeopenai import FakeOpenAI, Reply  # noqa: E402
from tactful.server import changes  # noqa: E402
from tactful.server.gate.situation import LLM_KEYS  # noqa: E402
from tactful.server.session import review_once  # noqa: E402
from tactful.server.settings import GateSettings, LlmSettings, Settings  # noqa: E402

OLD = "def ratio(done, total):\n    if total == 0:\n        return 0.0\n    return done / total\n"
NEW = "def ratio(done, total):\n    if total != 0:\n        return 0.0\n    return done / total\n"


def _finding(improved: str, confidence: float) -> dict:
    return {
        "category": "correctness",
        "confidence": confidence,
        "message": "Inverted condition: the old code returned 0.0 only when total was 0.",
        "existing_code": "if total != 0:",
        "improved_code": improved,
    }


def _features(git_repo, tmp_path: Path, improved: str) -> dict[str, float]:
    git_repo.write("calc.py", OLD)
    git_repo.commit("base")
    git_repo.write("calc.py", NEW)
    with FakeOpenAI(default=Reply.json({"findings": [_finding(improved, 0.8)]})) as server:
        llm = LlmSettings(base_url=server.base_url, api_key="k", model="fake", max_retries=0)
        settings = Settings(
            llm=llm, gate=GateSettings(enabled=False), cache_dir=str(tmp_path / "cache")
        )
        result = review_once(changes.from_worktree(git_repo.root), settings)
    (finding,) = [f for f in result.findings if f.source == "llm"]
    return result.features[finding.fingerprint]


def test_a_fix_that_applies_is_a_validated_fix(git_repo, tmp_path: Path) -> None:
    features = _features(git_repo, tmp_path, "if total == 0:")
    assert features["llm_confidence"] == 0.8
    assert features["llm.fix_validated"] == 1.0
    assert "llm.fix_validated" in LLM_KEYS  # the display gate's situation reads it


def test_a_fix_that_does_not_parse_counts_against_the_finding(git_repo, tmp_path: Path) -> None:
    features = _features(git_repo, tmp_path, "if total == 0 (:")
    assert features["llm.fix_validated"] == 0.0


def test_no_fix_no_feature(git_repo, tmp_path: Path) -> None:
    features = _features(git_repo, tmp_path, "")
    assert "llm.fix_validated" not in features
