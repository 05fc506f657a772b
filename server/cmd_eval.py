"""``tactful eval comments``: the LLM reviewer over CodeReviewer-format records.

Runs against whatever endpoint is configured (``--base-url`` / ``OPENAI_BASE_URL``); a
scripted local server in the tests. The work lives in :mod:`tactful.server.llm.evaluation`,
imported only when the command runs (the openai SDK takes a second to import).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from tactful.server.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("eval", help="evaluate reviewers on labelled data")
    inner = p.add_subparsers(dest="eval_command", metavar="WHAT")
    inner.required = True
    c = inner.add_parser(
        "comments", help="LLM review comments vs. human ones (CodeReviewer records)"
    )
    c.add_argument(
        "--data", required=True, help="JSONL file of CodeReviewer records (patch, oldf, msg, lang)"
    )
    c.add_argument("--limit", type=int, help="only the first N records")
    c.add_argument(
        "--base-url", help="OpenAI-compatible endpoint (default: settings / OPENAI_BASE_URL)"
    )
    c.add_argument("--model", help="model name (default: settings / TACTFUL_MODEL)")
    c.add_argument("--timeout", type=float, help="seconds per request")
    c.add_argument("--critique", action="store_true", help="also run the critique pass")
    c.add_argument(
        "--cache-dir",
        help="cache directory (default: the user cache; use an empty one for cold runs)",
    )
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not Path(args.data).is_file():
        # an OSError, not UsageError: cli.py may run as __main__, where UsageError is another class
        raise FileNotFoundError(f"--data {args.data}: no such file")
    from tactful.server.llm.evaluation import evaluate, render_text

    settings = _settings(args)
    report = asyncio.run(evaluate(args.data, settings, limit=args.limit))
    if args.format == "json":
        sys.stdout.write(json.dumps(report, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(render_text(report))
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    llm = Settings().llm
    changes: dict[str, Any] = {"critique": bool(args.critique)}
    if args.base_url:
        changes["base_url"] = args.base_url
    if args.model:
        changes["model"] = args.model
    if args.timeout:
        changes["timeout_s"] = args.timeout
    return Settings(llm=dataclasses.replace(llm, **changes), cache_dir=args.cache_dir or "")
