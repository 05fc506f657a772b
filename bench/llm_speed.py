"""Where a unit's seconds go with a local llama-server, and which server settings cut them.

    python bench/llm_speed.py --limit 2 --config t1 --config t2 --config "t2 --spec-type ngram-simple"

First the review prompts of some planted logic cases are recorded exactly as the LLM stage
builds them (the review runs against an in-process recorder that answers "no findings",
so no model is involved). Then each ``--config`` ("t<threads> [llama-server options] [loose]"; ``loose`` sends
the reply bounds used before they were tightened: 5 findings, longer strings, 1,024 tokens) gets a fresh llama-server with the evaluation
model, and the prompts are replayed schema-constrained as the client sends them,
interleaved (unit 1 on every configuration, then unit 2, ...) so that each configuration
meets the same machine load. Per unit it prints what
llama-server reports in ``timings``: prompt tokens read and reused from the prompt cache,
prompt and generation milliseconds and tokens/s, and the wall time; then the mean per
configuration and the load average. The first prompt of a server finds an empty cache;
later ones reuse the shared prefix (system rules), which ``cache_prompt`` (on by default)
keeps in the slot.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import shlex
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import review_llm
from quality_archives import cache_dir
from quality_corpus import CORPUS, load_corpus
from tactful.server.llm.client import MAX_REPLY_TOKENS
from tactful.server.llm.local_server import LlamaServer, default_binary, llama_dir

EVAL_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
LOOSE_MAX_TOKENS = 1024


class _Recorder(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that keeps each request body and finds nothing."""

    bodies: list[dict[str, Any]]

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", "0"))
        self.bodies.append(json.loads(self.rfile.read(length)))
        reply = {
            "id": "rec", "object": "chat.completion", "created": 0, "model": "recorder",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": '{"findings": []}'}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }  # fmt: skip
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def record_prompts(limit: int, version: str, work: Path) -> list[dict[str, Any]]:
    """The request bodies the LLM stage sends for the first ``limit`` cases per category."""
    bodies: list[dict[str, Any]] = []
    handler = type("Recorder", (_Recorder,), {"bodies": bodies})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        corpus = load_corpus(CORPUS)
        per: dict[str, list[Any]] = defaultdict(list)
        for case in corpus.cases:
            if case.kind == "planted" and case.category in review_llm.LOGIC_CATEGORIES:
                per[case.category].append(case)
        cases = [c for group in per.values() for c in group[:limit]]
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        # A model name of its own: the recorder's empty replies never meet the real ones.
        config = review_llm.LlmConfig(url, f"recorder-{time.time_ns()}", "x", version, True, 1500)
        os.environ["TACTFUL_CACHE_DIR"] = str(cache_dir() / "tactful-cache")
        os.environ["TACTFUL_DATA_DIR"] = str(work / "data")
        review_llm.run_planted(corpus, cases, config)
    finally:
        server.shutdown()
    return bodies


@dataclasses.dataclass(frozen=True)
class Timing:
    prompt_n: int
    cache_n: int
    prompt_ms: float
    predicted_n: int
    predicted_ms: float
    wall_s: float
    draft_n: int = 0
    draft_accepted: int = 0


LOOSE = {"message": 400, "existing_code": 800, "improved_code": 1200}
"""``review.v2``'s string bounds before they were tightened (with 5 findings, 1,024 tokens)."""


def _loosened(body: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(json.dumps(body))
    schema = body["response_format"]["json_schema"]["schema"]["properties"]["findings"]
    schema["maxItems"] = 5
    for name, bound in LOOSE.items():
        schema["items"]["properties"][name]["maxLength"] = bound
    return body


def replay(base: str, body: dict[str, Any], max_tokens: int, loose: bool = False) -> Timing:
    request = dict(_loosened(body) if loose else body, max_tokens=max_tokens, model="eval")
    started = time.perf_counter()
    with urllib.request.urlopen(
        urllib.request.Request(
            base + "/chat/completions",
            data=json.dumps(request).encode(),
            headers={"Content-Type": "application/json"},
        ),
        timeout=900,
    ) as response:
        reply = json.loads(response.read())
    wall = time.perf_counter() - started
    t = reply.get("timings") or {}
    return Timing(
        int(t.get("prompt_n", 0)), int(t.get("cache_n", 0)), float(t.get("prompt_ms", 0.0)),
        int(t.get("predicted_n", 0)), float(t.get("predicted_ms", 0.0)), wall,
        int(t.get("draft_n", 0)), int(t.get("draft_n_accepted", 0)),
    )  # fmt: skip


def _rate(tokens: float, ms: float) -> float:
    return 1000 * tokens / ms if ms else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=2, help="planted cases per logic category")
    parser.add_argument("--version", default="review.v2")
    parser.add_argument("--model", type=Path, default=llama_dir() / "models" / EVAL_MODEL)
    parser.add_argument("--max-tokens", type=int, default=MAX_REPLY_TOKENS)
    parser.add_argument(
        "--config", action="append", help='"t<threads> [llama-server options]" (repeatable)'
    )
    args = parser.parse_args()
    configs = args.config or ["t1", "t2"]
    with tempfile.TemporaryDirectory(prefix="tactful-speed-") as tmp:
        bodies = record_prompts(args.limit, args.version, Path(tmp))
    print(f"{len(bodies)} prompts recorded ({args.version}); load {os.getloadavg()[0]:.2f}")
    rows: dict[str, list[Timing]] = {c: [] for c in configs}
    with contextlib.ExitStack() as stack:
        servers = {}
        for config in configs:
            words = shlex.split(config)
            threads = int(words[0].removeprefix("t"))
            options = [w for w in words[1:] if w != "loose"]
            servers[config] = stack.enter_context(
                LlamaServer(default_binary(), args.model, threads=threads, extra=options)
            )
        # Interleaved, one request at a time: every configuration meets the same load.
        for index, body in enumerate(bodies):
            for config, server in servers.items():
                loose = "loose" in shlex.split(config)
                r = replay(
                    server.base_url, body, LOOSE_MAX_TOKENS if loose else args.max_tokens, loose
                )
                rows[config].append(r)
                print(
                    f"  unit {index} [{config}] prompt {r.prompt_n:4d} new + {r.cache_n:4d} cached "
                    f"{r.prompt_ms / 1000:5.1f}s ({_rate(r.prompt_n, r.prompt_ms):5.1f} t/s); "
                    f"gen {r.predicted_n:4d} {r.predicted_ms / 1000:5.1f}s "
                    f"({_rate(r.predicted_n, r.predicted_ms):4.1f} t/s)"
                    + (f", draft {r.draft_accepted}/{r.draft_n}" if r.draft_n else "")
                    + f"; wall {r.wall_s:5.1f}s; load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    for config, timings in rows.items():
        warm = timings[1:] or timings
        mean = statistics.mean
        print(
            f"[{config}] {len(timings)} units: {mean(r.wall_s for r in timings):.1f} s/unit "
            f"(after the first: {mean(r.wall_s for r in warm):.1f}); prompt "
            f"{mean(r.prompt_n for r in warm):.0f} new + {mean(r.cache_n for r in warm):.0f} cached "
            f"tokens, {mean(r.prompt_ms for r in warm) / 1000:.1f} s "
            f"({_rate(sum(r.prompt_n for r in warm), sum(r.prompt_ms for r in warm)):.1f} t/s); "
            f"generation {mean(r.predicted_n for r in warm):.0f} tokens, "
            f"{mean(r.predicted_ms for r in warm) / 1000:.1f} s "
            f"({_rate(sum(r.predicted_n for r in warm), sum(r.predicted_ms for r in warm)):.1f} t/s)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
