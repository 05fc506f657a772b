"""The LLM reviewer against a real model (llama-server + SmolLM2), when both are installed.

Provide them with ``scripts/llama_server.sh build`` (cached in ~/.cache/tactful/llama).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tactful.server.llm.evaluation import evaluate
from tactful.server.llm.local_server import LlamaServer, find_llama
from tactful.server.settings import LlmSettings, Settings

DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "codereviewer" / "msg-test-100.jsonl"
)

pytestmark = [
    pytest.mark.realmodel,
    pytest.mark.skipif(
        find_llama() is None, reason="llama-server or model missing: scripts/llama_server.sh build"
    ),
]


def test_eval_against_llama_server(tmp_path: Path) -> None:
    if not DATA.is_file():
        pytest.skip(f"{DATA} not available")
    found = find_llama()
    assert found is not None
    with LlamaServer(*found, threads=1) as server:
        llm = LlmSettings(
            base_url=server.base_url,
            model="smollm2",
            api_key="local",
            timeout_s=600.0,
            max_concurrency=1,
            max_retries=0,
        )
        report = asyncio.run(evaluate(DATA, Settings(llm=llm, cache_dir=str(tmp_path)), limit=2))
    assert report["records"] == 2 and report["llm"] == "on"
    assert report["replies"] >= 1
    # whatever the small model says, only anchored findings survive and the run reports its costs
    assert report["prompt_tokens"] > 0
    assert not any("not reviewed" in e for e in report["errors"])
