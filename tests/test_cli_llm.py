"""End to end: ``tactful review`` with the LLM reviewer behind a local OpenAI-compatible server."""

from __future__ import annotations

import json

from fakeopenai import FakeOpenAI, Reply
from support import GitRepo

OLD = "def ratio(done, total):\n    return done / total\n"
NEW = "def ratio(done, total):\n    share = done / total\n    return round(share, 2)\n"


def _finding(existing: str, improved: str | None = None) -> dict:
    return {
        "findings": [
            {
                "category": "correctness",
                "confidence": 0.9,
                "message": "Dropped check: division by zero when total is 0.",
                "existing_code": existing,
                "improved_code": improved,
            }
        ]
    }


def test_llm_findings_join_offline_findings(cli, git_repo: GitRepo) -> None:
    git_repo.write("calc.py", OLD)
    git_repo.commit("base")
    git_repo.write("calc.py", NEW)
    with FakeOpenAI(
        default=Reply.json(
            _finding("share = done / total", "share = done / total if total else 0.0")
        )
    ) as server:
        env = {
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": "test",
            "TACTFUL_MODEL": "fake",
        }
        result = cli("review", "--all", "--format", "json", cwd=git_repo.root, env=env)
    assert result.returncode == 0, result.stderr
    data = result.json()
    (finding,) = data["findings"]
    assert (finding["rule"], finding["source"], finding["line"], finding["unit"]) == (
        "llm.correctness",
        "llm",
        2,
        "ratio",
    )
    assert finding["fix"]["edits"][0]["newText"].strip() == "share = done / total if total else 0.0"
    assert data["coverage"]["counters"]["llm.tokens.prompt"] > 0
    calls = data["coverage"]["counters"]["llm.replies"]
    tokens = [data["coverage"]["counters"][f"llm.tokens.{k}"] for k in ("prompt", "completion")]
    # The summary of the text format and of the GitHub review body says what the model cost:
    # here nothing, the endpoint is gone and the cache answers.
    for fmt in ("text", "github"):
        out = cli("review", "--all", "--format", fmt, cwd=git_repo.root, env=env).stdout
        summary = out if fmt == "text" else json.loads(out)["body"]
        assert (
            "  LLM: 0 model call(s), 0 prompt + 0 completion tokens, 1 answered from the cache"
            in summary
        )
    assert calls == 1 and tokens[0] > 0 and tokens[1] > 0


def test_dead_endpoint_keeps_offline_findings_with_one_line(cli, git_repo: GitRepo) -> None:
    git_repo.write("calc.py", OLD)
    git_repo.commit("base")
    git_repo.write("calc.py", NEW.replace("    return round", "    breakpoint()\n    return round"))
    env = {
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "OPENAI_API_KEY": "test",
        "TACTFUL_MODEL": "fake",
    }
    result = cli("review", "--all", "--format", "json", cwd=git_repo.root, env=env)
    assert result.returncode == 0, result.stderr
    data = result.json()
    assert [f["rule"] for f in data["findings"]] == ["py.debugger"]
    llm_notes = [n for n in data["coverage"]["notes"] if n.startswith("LLM reviewer")]
    assert len(llm_notes) == 1
