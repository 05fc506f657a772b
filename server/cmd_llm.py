"""CLI: ``tactful llm serve``: a local llama.cpp ``llama-server`` for the LLM reviewer.

``tactful lsp`` and ``tactful review`` never start a model themselves; this command does,
in the foreground, on 127.0.0.1, and prints the endpoint settings that point tactful at it.
The binary comes from ``scripts/llama_server.sh build``; the model is any GGUF file
(default: the SmolLM2 one that script installs; ``scripts/fetch_eval_model.sh`` fetches the
evaluation model, Qwen2.5-Coder-1.5B).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from tactful.server.errors import UsageError
from tactful.server.llm import speed
from tactful.server.llm.client import MAX_REPLY_TOKENS
from tactful.server.llm.local_server import (
    LlamaServer,
    default_binary,
    default_model,
    is_executable,
)
from tactful.server.settings import LlmSettings

EXIT_OK = 0
GGUF_MAGIC = b"GGUF"
ASSUMED_SPEED = speed.Speed(prompt_tps=40.0, generation_tps=10.0)
"""Qwen2.5-Coder-1.5B Q4_K_M on one core of a busy 2-core VM (a 1,146-token review prompt):
the limits printed when the probe fails (a CPU model needs about a minute a unit, not the
defaults' seconds)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    llm = subparsers.add_parser("llm", help="a local model for the LLM reviewer")
    llm_sub = llm.add_subparsers(dest="llm_command", metavar="ACTION", required=True)
    serve = llm_sub.add_parser(
        "serve", help="run llama-server with a GGUF model on 127.0.0.1 (foreground; Ctrl-C stops)"
    )
    serve.add_argument(
        "--model", type=Path, help="GGUF file (default: LLAMA_MODEL, else the cached SmolLM2)"
    )
    serve.add_argument(
        "--binary", type=Path, help="llama-server (default: LLAMA_SERVER, else the cached build)"
    )
    serve.add_argument("--port", type=int, default=8089, help="port on 127.0.0.1 (0: any free)")
    serve.add_argument(
        "--threads",
        type=int,
        default=default_threads(),
        help="CPU threads for the model (default: all cores but one, at least 1)",
    )
    serve.add_argument("--context", type=int, default=4096, help="context window in tokens")
    serve.add_argument(
        "--startup-timeout", type=float, default=180.0, help="seconds to wait for /health"
    )
    serve.set_defaults(func=run_serve)


def default_threads() -> int:
    """All cores but one: the editor and the offline checks keep a core. On a busy 2-core
    machine a second model thread made generation 15x slower (8.9 -> 0.6 tokens/s, threads
    waiting on each other while other work held a core; bench/llm_speed.py)."""
    return max(1, (os.cpu_count() or 2) - 1)


def check_serve_args(args: argparse.Namespace) -> tuple[Path, Path]:
    """The binary and model to run, or a :class:`UsageError` naming the bad argument."""
    binary = args.binary or default_binary()
    model = args.model or default_model()
    if not is_executable(binary):
        raise UsageError(
            f"llama-server binary {binary} is missing or not executable "
            "(build it with scripts/llama_server.sh build, or pass --binary)"
        )
    if not model.is_file():
        raise UsageError(f"--model {model}: no such file")
    with open(model, "rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise UsageError(f"--model {model}: not a GGUF file (it does not start with 'GGUF')")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: must be 0-65535")
    if args.threads < 1:
        raise UsageError(f"--threads {args.threads}: must be at least 1")
    if args.context < 256:
        raise UsageError(f"--context {args.context}: must be at least 256 tokens")
    if args.startup_timeout <= 0:
        raise UsageError(f"--startup-timeout {args.startup_timeout:g}: must be positive")
    return binary, model


def endpoint_text(base_url: str, model_name: str, measured: speed.Speed | None) -> str:
    """What to tell tactful: environment variables, or the settings file's ``llm`` section,
    with time limits the measured speed can meet."""
    cap = LlmSettings().max_prompt_tokens
    rate = measured or ASSUMED_SPEED
    limits = speed.limits_for(rate, cap, MAX_REPLY_TOKENS)
    settings = {
        "llm": {
            "baseUrl": base_url,
            "apiKey": "local",
            "model": model_name,
            "timeoutS": limits.timeout_s,
            "deadlineS": limits.deadline_s,
            "maxConcurrency": 1,
        }
    }
    how = "measured" if measured else "not measured (the probe failed); assumed"
    return "\n".join(
        [
            f"llama-server is listening on {base_url}; Ctrl-C stops it.",
            "Point tactful at it with",
            f"  export OPENAI_BASE_URL={base_url} OPENAI_API_KEY=local TACTFUL_MODEL={model_name}",
            "or in .tactful/settings.json:",
            "  " + json.dumps(settings),
            f"Speed {how}: prompt {rate.prompt_tps:.1f} tokens/s, generation"
            f" {rate.generation_tps:.1f} tokens/s, so a unit with a {cap:,}-token prompt takes"
            f" about {limits.unit_s:.0f} s; llm.deadlineS {limits.deadline_s:g} covers"
            f" {speed.UNITS_PER_REVIEW} units (the default, {LlmSettings().deadline_s:g} s, is"
            " meant for hosted models). Lower llm.maxPromptTokens to go faster.",
            "",
        ]
    )


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # leaves the server's context, which stops llama-server


def run_serve(args: argparse.Namespace) -> int:
    binary, model = check_serve_args(args)
    signal.signal(signal.SIGTERM, _stop)
    try:
        server = LlamaServer(
            binary,
            model,
            threads=args.threads,
            context=args.context,
            startup_s=args.startup_timeout,
            port=args.port,
        )
        with server:
            measured = speed.measure(server.base_url, model.stem, timeout_s=args.startup_timeout)
            sys.stdout.write(endpoint_text(server.base_url, model.stem, measured))
            sys.stdout.flush()
            assert server.process is not None
            code = server.process.wait()
        raise UsageError(f"llama-server exited with {code}; see {server.log_path}")
    except RuntimeError as exc:  # did not become healthy
        raise UsageError(str(exc)) from exc
    except KeyboardInterrupt:
        return EXIT_OK
