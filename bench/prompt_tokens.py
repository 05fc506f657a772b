"""Prompt tokens: per reviewed unit with and without call-graph context, and per hunk vs whole files.

    python bench/prompt_tokens.py --tree DIR [--edits N] [--budget TOKENS]
    python bench/prompt_tokens.py [--data FILE] [--limit N] [--base-url URL --model NAME]

With ``--tree`` (an unpacked sdist: a real repository), the tree is committed to a temporary
git repository, the first line of ``--edits`` functions that have callers is edited, and the
change is reviewed as ``tactful review`` does (repository index, call-graph stage). For each
reviewed unit it prints the prompt tokens without context and with the context the LLM stage
sends (``llm.contextTokens``, or ``--budget``), and how many callers and callees the index
found and how many survive the budget.

Without ``--tree``, CodeReviewer records: change-unit prompts against whole-file prompts.
Without an endpoint, tokens are estimated (about 3.5 characters a token). With one
(``--base-url`` or ``OPENAI_BASE_URL``), each prompt is also sent with a one-token
completion and the server's own ``usage.prompt_tokens`` is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shutil
import statistics
import string
import subprocess
import tempfile
from pathlib import Path

from tactful.analyzers.context import build_context
from tactful.server import changes
from tactful.server.llm.client import LlmCallError, LlmClient
from tactful.server.llm.prompt import (
    Prompt,
    estimate_tokens,
    review_prompt,
    schema,
    template,
)
from tactful.server.llm.records import Record, read_records
from tactful.server.llm.stage import prompt_context
from tactful.server.pipeline import review
from tactful.server.redact import redact
from tactful.server.session import ReviewSession
from tactful.server.settings import LlmSettings, Settings

WHOLE_FILE_VERSION = "review.v1"
"""The naive prompt fills v1's "removed lines" slot with the raw hunk."""
DATA = str(
    Path(__file__).resolve().parents[2] / "shared" / "data" / "codereviewer" / "msg-test-100.jsonl"
)


def whole_file_prompt(record: Record) -> Prompt:
    """The naive alternative: the same rules, the whole new file, and the raw hunk."""
    file = record.change.change_set.files[0]
    patch = "\n".join(line for hunk in file.hunks for line in (f"@@ {hunk.header}", *hunk.lines))
    user = string.Template(template(f"{WHOLE_FILE_VERSION}.user.md")).safe_substitute(
        path=file.path,
        language=record.language,
        unit_kind="file",
        unit_name=file.path,
        unit_source=record.new_text,
        removed=patch,
        context="(none)",
        instructions="(none)",
    )
    clean, count = redact(user)
    system = template(f"{WHOLE_FILE_VERSION}.system.md")
    return Prompt(
        WHOLE_FILE_VERSION,
        [{"role": "system", "content": system}, {"role": "user", "content": clean}],
        count,
    )


def unit_prompts(record: Record, settings: Settings) -> list[Prompt]:
    result = review(record.change, settings)
    context = prompt_context(result, settings.llm.context_tokens)
    return [review_prompt(u, context=context(u)) for u in result.units if u.changed_new_lines]


async def measured(client: LlmClient | None, prompt: Prompt) -> int:
    if client is None:
        return estimate_tokens(prompt.chars)
    try:
        completion = await client.complete(prompt.messages, schema(prompt.version), "review")
    except LlmCallError as exc:
        print(f"  request failed: {exc}")
        return estimate_tokens(prompt.chars)
    return completion.prompt_tokens


def repo_figures(tree: Path, edits: int, budget: int | None) -> None:
    """Tokens per reviewed unit with and without call-graph context, on a real repository."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@b",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@b",
    }
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(tree, repo, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
            subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
        settings = Settings(cache_dir=str(Path(tmp) / "cache"))
        if budget:
            settings = dataclasses.replace(
                settings, llm=dataclasses.replace(settings.llm, context_tokens=budget)
            )
        session = ReviewSession(settings, repo, "bench")
        index = session.built_index()
        assert index is not None
        edited = _edit_called_functions(repo, index, edits)
        change = changes.from_worktree(repo)
        result = review(change, settings, session.offline_stages(llm=False))
    context = prompt_context(result, settings.llm.context_tokens)
    bare: list[int] = []
    full: list[int] = []
    found = {"caller": 0, "callee": 0}
    kept = {"caller": 0, "callee": 0}
    for unit in result.units:
        if not unit.changed_new_lines:
            continue
        bare.append(estimate_tokens(review_prompt(unit).chars))
        full.append(estimate_tokens(review_prompt(unit, context=context(unit)).chars))
        calls = result.unit_context.get((unit.path, unit.name))
        if calls is None:
            continue
        found["caller"] += len(calls.callers)
        found["callee"] += len(calls.callees)
        fitted = build_context(unit, calls.callers, calls.callees, settings.llm.context_tokens)
        for kind in kept:
            kept[kind] += len(fitted.of_kind(kind))
    if not bare:
        print("no reviewed units")
        return
    name = tree.parent.name if tree.name == "tree" else tree.name
    print(
        f"repository: {name}, {edited} functions edited, {len(bare)} units reviewed, "
        f"llm.contextTokens {settings.llm.context_tokens:,} (tokens estimated, ~3.5 chars/token)"
    )
    print(
        f"per unit prompt, no context:          mean {statistics.fmean(bare):,.0f}, median {statistics.median(bare):,.0f}"
    )
    print(
        f"per unit prompt, call-graph context:  mean {statistics.fmean(full):,.0f}, median {statistics.median(full):,.0f}"
    )
    for kind in ("caller", "callee"):
        print(
            f"{kind}s: {found[kind]:,} found, {kept[kind]:,} within the budget "
            f"({kept[kind] / max(found[kind], 1):.0%}), {found[kind] / len(bare):.1f} per unit found"
        )


def _edit_called_functions(repo: Path, index: object, count: int) -> int:
    """Add a statement at the top of ``count`` functions that have callers (one per file)."""
    graph = index.graph  # type: ignore[attr-defined]
    done = 0
    for tags in sorted(index.all_tags(), key=lambda t: t.path):  # type: ignore[attr-defined]
        if done >= count or tags.language != "python" or "/test" in f"/{tags.path}":
            continue
        for definition in tags.definitions:
            if (
                definition.kind not in ("function", "method")
                or definition.end_line - definition.start_line < 3
            ):
                continue
            if not graph.callers(definition.qualified_name, definition.path, 1):
                continue
            path = repo / definition.path
            lines = path.read_text("utf-8").splitlines(keepends=True)
            body = lines[definition.start_line]  # the line after the header
            indent = body[: len(body) - len(body.lstrip())] or "    "
            lines.insert(definition.start_line, f"{indent}_checked = True  # bench edit\n")
            path.write_text("".join(lines), "utf-8")
            done += 1
            break
    return done


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--tree", type=Path, help="an unpacked sdist to measure call-graph context on"
    )
    parser.add_argument("--edits", type=int, default=30, help="with --tree: functions to edit")
    parser.add_argument(
        "--budget", type=int, help="with --tree: llm.contextTokens (default: the setting's default)"
    )
    parser.add_argument("--data", default=DATA)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL", ""))
    parser.add_argument("--model", default=os.environ.get("TACTFUL_MODEL", "default"))
    args = parser.parse_args()
    if args.tree:
        repo_figures(args.tree, args.edits, args.budget)
        return
    settings = Settings()
    client = None
    if args.base_url:
        llm = dataclasses.replace(
            LlmSettings(),
            base_url=args.base_url,
            model=args.model,
            api_key=os.environ.get("OPENAI_API_KEY", ""),
        )
        client = LlmClient(llm, max_tokens=1)
    per_unit: list[int] = []
    per_record_units: list[int] = []
    per_record_whole: list[int] = []
    for item in read_records(args.data, args.limit):
        if isinstance(item, str):
            print(item)
            continue
        units = [await measured(client, p) for p in unit_prompts(item, settings)]
        if not units:
            continue
        per_unit.extend(units)
        per_record_units.append(sum(units))
        per_record_whole.append(await measured(client, whole_file_prompt(item)))
    if client is not None:
        await client.close()
    if not per_record_units:
        print("no records with reviewable units")
        return
    source = f"server usage from {args.base_url}" if client else "estimated, ~3.5 chars/token"
    ratio = statistics.fmean(per_record_units) / statistics.fmean(per_record_whole)
    print(f"records: {len(per_record_units)}, change units: {len(per_unit)} (tokens {source})")
    print(
        f"per unit prompt (with context):  mean {statistics.fmean(per_unit):,.0f}, median {statistics.median(per_unit):,.0f}"
    )
    print(
        f"per hunk, all its unit prompts:  mean {statistics.fmean(per_record_units):,.0f}, median {statistics.median(per_record_units):,.0f}"
    )
    print(
        f"per hunk, whole-file prompt:     mean {statistics.fmean(per_record_whole):,.0f}, median {statistics.median(per_record_whole):,.0f}"
    )
    print(f"unit prompts / whole-file:       {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
