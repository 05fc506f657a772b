"""The LLM reviewer against a real model: llama.cpp's llama-server with SmolLM2-135M-Instruct.

    scripts/llama_server.sh build          # once; caches binary and model outside the repo
    python bench/llm_real.py [--limit 10] [--threads 1] [--data FILE]

Runs ``tactful eval comments`` (in process) against the local server with a cold cache and
prints tokens/s, latency per record, schema-valid replies and surviving findings.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

from tactful.server.llm.evaluation import evaluate, render_text
from tactful.server.llm.local_server import LlamaServer, find_llama
from tactful.server.settings import LlmSettings, Settings

DATA = str(
    Path(__file__).resolve().parents[2] / "shared" / "data" / "codereviewer" / "msg-test-100.jsonl"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=DATA)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument(
        "--threads", type=int, default=1, help="llama-server threads (1 on small machines)"
    )
    args = parser.parse_args()
    found = find_llama()
    if found is None:
        print("llama-server or the SmolLM2 model is missing: run scripts/llama_server.sh build")
        return 1
    binary, model = found
    with (
        LlamaServer(binary, model, threads=args.threads) as server,
        tempfile.TemporaryDirectory() as cache,
    ):
        llm = dataclasses.replace(
            LlmSettings(),
            base_url=server.base_url,
            model="smollm2",
            api_key="local",
            timeout_s=600.0,
            max_concurrency=1,
            max_retries=0,
            token_budget=200_000,
        )
        settings = Settings(llm=llm, cache_dir=cache)
        start = time.perf_counter()
        report = asyncio.run(evaluate(args.data, settings, limit=args.limit))
        wall = time.perf_counter() - start
    print(render_text(report), end="")
    completion, prompt = report["completion_tokens"], report["prompt_tokens"]
    print(f"model:                    {model.name} ({args.threads} thread(s))")
    print(f"wall time:                {wall:.1f} s")
    print(f"tokens/s (prompt+compl.): {(prompt + completion) / wall:.1f}")
    print(
        f"completion tokens/s:      {completion / wall:.1f} (end to end, includes prompt processing)"
    )
    replies = report["replies"]
    if replies:
        print(f"schema-valid share:       {report['schema_valid_replies'] / replies:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
