"""``bench/review_quality.py --llm``: the same corpus reviewed with a real model behind an
OpenAI-compatible endpoint (e.g. ``tactful llm serve --model qwen2.5-coder-1.5b...gguf``).

Per configuration (prompt version x call-graph context on/off) it prints, per planted
category, the recall of the offline checks alone, the LLM alone (before and after the
display gate) and both; on a seeded sample of real release-diff units, LLM findings per
1,000 changed lines before and after the gate and their hand verdicts
(``bench/corpus/real_verdicts.md``); the schema-valid share of replies; seconds and
tokens per reviewed unit. Only the units under test go to the model: for a planted case
the unit(s) holding the defect, for a real diff the sampled units. Replies are cached in
the corpus cache (keyed by prompt and model), so a rerun of a finished configuration
costs nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quality_archives import cache_dir, unpacked
from quality_corpus import NEAR, SKIP_GLOBS, SOURCE_GLOBS, BenchError, Case, Corpus, RealDiff
from quality_report import load_verdicts, verdict_key
from quality_run import _copy_filtered, apply_edit, archive_repo, git, is_hit, overlay

LOGIC_CATEGORIES = ("inverted-condition", "off-by-one", "wrong-variable", "behaviour-dropped")
REAL_PROJECTS = ("boltons", "humanize")
"""Real diffs sampled by default: Python, where the model is strongest and verdicts are cheap."""


@dataclass(frozen=True)
class LlmConfig:
    base_url: str
    model: str
    api_key: str
    version: str
    context: bool
    max_prompt_tokens: int
    timeout_s: float = 600.0
    critique: bool = False
    samples: int = 1

    @property
    def label(self) -> str:
        critique = " +critique" if self.critique else ""
        samples = f" x{self.samples} samples" if self.samples > 1 else ""
        return f"{self.version} {'+context' if self.context else 'no context'}{critique}{samples}"


@dataclass
class UnitRun:
    """One review of some units with the model: what the checks and the model said."""

    offline: list[dict[str, Any]]
    before_gate: list[dict[str, Any]]
    after_gate: list[dict[str, Any]]
    counters: dict[str, int]
    units: int
    changed_lines: int
    seconds: float
    notes: list[str] = field(default_factory=list)
    features: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per finding fingerprint: the gate's LLM features (confidence, critique score)."""


def reaches_model(unit: Any) -> bool:
    """Whether the LLM stage sends ``unit`` (added lines, or a deletion with a surviving anchor)."""
    from tactful.server.llm.removed import removal_anchors

    return bool(unit.changed_new_lines) or (
        unit.new_span is not None and bool(removal_anchors(unit))
    )


def _settings(root: Path, config: LlmConfig) -> Any:
    from tactful.server.config import load_settings

    settings = load_settings(root)
    llm = dataclasses.replace(
        settings.llm,
        base_url=config.base_url, model=config.model, api_key=config.api_key,
        timeout_s=config.timeout_s, deadline_s=0.0, max_concurrency=1, max_retries=0,
        token_budget=10_000_000, prompt_version=config.version,
        max_prompt_tokens=config.max_prompt_tokens, enabled=True, critique=config.critique,
        samples=config.samples,
    )  # fmt: skip
    cache = str(cache_dir() / "llm-replies")
    return dataclasses.replace(settings, llm=llm, cache_dir=cache)


def review_units(root: Path, config: LlmConfig, wanted: Callable[[Any], bool]) -> UnitRun:
    """Review ``root``'s working tree as ``tactful review --all`` does, the model seeing only
    the units ``wanted`` keeps; the display gate (shipped prior, empty log) decides."""
    from tactful.server import changes, pipeline
    from tactful.server.llm.stage import LlmStage
    from tactful.server.output import finding_json
    from tactful.server.session import ReviewSession

    change = changes.from_worktree(root)
    settings = _settings(root, config)
    session = ReviewSession.open(settings, root, client="bench", gate=True)
    try:
        result = pipeline.review(change, settings, session.offline_stages(llm=False))
        texts = {f.change.path: f.new_text for f in result.files}
        offline = [finding_json(f, texts.get(f.path)) for f in [*result.findings, *result.hidden]]
        if not config.context:  # the ablation: no callers or callees in the prompt
            result.unit_context.clear()
        chosen = [u for u in result.units if reaches_model(u) and wanted(u)]
        stage = LlmStage(session.reviewer, unit_filter=wanted, display_gate=session.display_gate)

        async def run() -> Sequence[Any]:
            try:
                return await stage(result, change, settings)
            finally:
                await session.aclose_reviewer()

        started = time.perf_counter()
        added = asyncio.run(run()) if chosen else ()
        seconds = time.perf_counter() - started
    finally:
        session.close()
    shown = {f.fingerprint for f in result.findings}
    before = [finding_json(f, texts.get(f.path)) for f in added]
    return UnitRun(
        offline=offline,
        before_gate=before,
        after_gate=[f for f in before if f["fingerprint"] in shown],
        counters={k: v for k, v in dict(result.coverage.counters).items() if k.startswith("llm.")},
        units=len(chosen),
        changed_lines=sum(len(u.changed_new_lines) + len(u.changed_old_lines) for u in chosen),
        seconds=seconds,
        notes=[n for n in result.coverage.notes if "LLM" in n],
        features={
            f["fingerprint"]: dict(result.features.get(f["fingerprint"], {})) for f in before
        },
    )


@dataclass
class CaseRun:
    case: Case
    run: UnitRun | None = None
    start: int = 0
    end: int = 0
    error: str = ""

    def hit(self, which: str) -> bool:
        if self.run is None:
            return False
        found = getattr(self.run, which)
        return any(is_hit(f, self.case.file, self.start, self.end) for f in found)


def run_planted(corpus: Corpus, cases: Iterable[Case], config: LlmConfig) -> list[CaseRun]:
    out: list[CaseRun] = []
    for case in cases:
        item = CaseRun(case)
        out.append(item)
        try:
            repo = archive_repo(corpus.archives[case.archive], cache_dir())
            target = repo / case.file
            original = target.read_bytes()
            text = original.decode("utf-8")
            for find, replace in case.also:
                text = apply_edit(text, find, replace).text
            applied = apply_edit(text, case.find, case.replace, case.mark)
            item.start, item.end = applied.start, applied.end

            def holds_defect(unit: Any, path: str = case.file, a: Any = applied) -> bool:
                span = unit.new_span
                return (
                    unit.path == path
                    and span is not None
                    and span.start_line <= a.end + NEAR
                    and span.end_line >= a.start - NEAR
                )

            target.write_bytes(applied.text.encode("utf-8"))
            try:
                item.run = review_units(repo, config, holds_defect)
            finally:
                target.write_bytes(original)
        except BenchError as exc:
            item.error = str(exc)
        except Exception as exc:  # a crash is a result, not the end of the bench
            item.error = f"crash: {exc.__class__.__name__}: {exc}"
        print(f"  {config.label}: {case.id}: {_case_line(item)}", flush=True)
    return out


def _case_line(item: CaseRun) -> str:
    if item.error or item.run is None:
        return f"error: {item.error[:200]}"
    run = item.run
    return (
        f"checks {'hit' if item.hit('offline') else '-'}, llm {'hit' if item.hit('before_gate') else '-'}"
        f" (after gate {'hit' if item.hit('after_gate') else '-'}), {len(run.before_gate)} llm finding(s),"
        f" {run.units} unit(s), {run.seconds:.1f}s"
    )


def sample_key(seed: int, unit: Any) -> str:
    return hashlib.sha256(f"{seed}:{unit.path}:{unit.name}".encode()).hexdigest()


def run_real(
    corpus: Corpus, diff: RealDiff, config: LlmConfig, work: Path, sample: int, seed: int
) -> UnitRun:
    """The release diff laid over the older release; the model sees ``sample`` seeded units."""
    old = unpacked(corpus.archives[diff.old], cache_dir())
    new = unpacked(corpus.archives[diff.new], cache_dir())
    repo = work / f"llm-real-{diff.project}-{config.version}-{config.context}"
    repo.mkdir()
    skip = (*SKIP_GLOBS, *diff.exclude)
    _copy_filtered(old, repo, SOURCE_GLOBS, skip)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", diff.old)
    overlay(repo, new, SOURCE_GLOBS, skip)
    git(repo, "add", "-A")
    picked: set[tuple[str, str]] = set()

    def in_sample(unit: Any) -> bool:
        return (unit.path, unit.name) in picked

    # First pass (no model): which units the diff has; then the seeded sample of them.
    from tactful.server import changes, pipeline

    settings = _settings(repo, config)
    units = [
        u for u in pipeline.review(changes.from_worktree(repo), settings).units if reaches_model(u)
    ]
    for unit in sorted(units, key=lambda u: sample_key(seed, u))[:sample]:
        picked.add((unit.path, unit.name))
    return review_units(repo, config, in_sample)


# ----------------------------------------------------------------------------- report


def _ratio(hit: int, total: int) -> str:
    return f"{hit / total:.2f} ({hit}/{total})" if total else "-"


def summarise(
    config: LlmConfig, planted: list[CaseRun], reals: dict[str, UnitRun], verbose: bool
) -> tuple[str, dict[str, Any]]:
    out = [
        f"== {config.label} (model {config.model}, prompt cap {config.max_prompt_tokens} tokens)"
    ]
    data: dict[str, Any] = {"config": dataclasses.asdict(config) | {"api_key": "-"}}
    by_cat: dict[str, list[CaseRun]] = defaultdict(list)
    for item in planted:
        by_cat[item.case.category].append(item)
    rows = {}
    out.append(
        f"  {'category':<20} {'n':>3}  {'checks':<12} {'LLM':<12} {'LLM gated':<12} {'both':<12}"
    )
    for name in sorted(by_cat):
        group = by_cat[name]
        counts = {
            "checks": sum(i.hit("offline") for i in group),
            "llm": sum(i.hit("before_gate") for i in group),
            "llm_gated": sum(i.hit("after_gate") for i in group),
            "both": sum(i.hit("offline") or i.hit("before_gate") for i in group),
        }
        rows[name] = counts | {"cases": len(group)}
        out.append(
            f"  {name:<20} {len(group):>3}  "
            + " ".join(f"{_ratio(v, len(group)):<12}" for v in counts.values())
        )
    data["planted"] = rows
    data["planted_findings"] = {
        i.case.id: [
            _brief(f, i.run, is_hit(f, i.case.file, i.start, i.end)) for f in i.run.before_gate
        ]
        for i in planted
        if i.run is not None
    }
    runs = [i.run for i in planted if i.run is not None] + list(reals.values())
    counters: Counter[str] = Counter()
    for run in runs:
        counters.update(run.counters)
    units = sum(r.units for r in runs)
    seconds = sum(r.seconds for r in runs)
    replies = counters["llm.replies"]
    valid = counters["llm.replies.schema-valid"]
    prompt_t, completion_t = counters["llm.tokens.prompt"], counters["llm.tokens.completion"]
    cached = counters["llm.cache.hits"]
    out.append(
        f"  units reviewed {units} ({replies} model replies, {cached} from the reply cache); "
        f"schema-valid {_ratio(valid, replies + cached)}; "  # cached replies are read too
        f"{seconds / max(units, 1):.1f} s/unit, {seconds / max(replies, 1):.1f} s/model reply, "
        f"{prompt_t / max(replies, 1):.0f} prompt + {completion_t / max(replies, 1):.0f} completion tokens/reply"
    )
    prompt_ms, gen_ms = counters["llm.time.prompt-ms"], counters["llm.time.generation-ms"]
    if prompt_ms or gen_ms:  # llama-server's timings: where the seconds go
        reused = counters["llm.tokens.prompt-cached"]
        out.append(
            f"  per reply: prompt {prompt_ms / 1000 / max(replies, 1):.1f} s"
            f" ({(prompt_t - reused) / max(prompt_ms / 1000, 1e-9):.1f} t/s read,"
            f" {reused / max(replies, 1):.0f} tokens reused from the prompt cache),"
            f" generation {gen_ms / 1000 / max(replies, 1):.1f} s"
            f" ({completion_t / max(gen_ms / 1000, 1e-9):.1f} t/s); load {os.getloadavg()[0]:.1f}"
        )
    data["costs"] = {
        "units": units, "replies": replies, "cache_hits": cached, "schema_valid": valid,
        "seconds": round(seconds, 1), "prompt_tokens": prompt_t, "completion_tokens": completion_t,
        "dropped": {k: v for k, v in counters.items() if k.startswith("llm.dropped.")},
        "pure_deletion_units": counters["llm.units.pure-deletion"],
        "anchored_on_removed_lines": counters["llm.anchored.removed-lines"],
        "prompt_ms": prompt_ms, "generation_ms": gen_ms,
        "prompt_tokens_cached": counters["llm.tokens.prompt-cached"],
    }  # fmt: skip
    errors = [f"{i.case.id}: {i.error}" for i in planted if i.error]
    if reals:
        verdicts = load_verdicts()
        lines = sum(r.changed_lines for r in reals.values())
        before = sum(len(r.before_gate) for r in reals.values())
        after = sum(len(r.after_gate) for r in reals.values())
        labels: Counter[str] = Counter()
        listed = []
        for project, run in reals.items():
            shown = {f["fingerprint"] for f in run.after_gate}
            for f in run.before_gate:
                key = verdict_key(project, f)
                verdict = verdicts.get(key, "unlabelled")
                labels[("shown " if f["fingerprint"] in shown else "hidden ") + verdict] += 1
                data.setdefault("real_findings", {})[key] = _brief(f, run, None)
                listed.append(
                    f"    - `{key}` {verdict.upper() if verdict == 'unlabelled' else verdict}"
                    f" ({'shown' if f['fingerprint'] in shown else 'hidden'}): {f['message'][:160]}"
                )
        sample_units = sum(r.units for r in reals.values())
        out.append(
            f"  real diffs ({', '.join(reals)}): {sample_units} sampled units, {lines:,} changed lines; "
            f"LLM findings {before} before the gate ({1000 * before / max(lines, 1):.2f}/1k lines), "
            f"{after} after ({1000 * after / max(lines, 1):.2f}/1k lines)"
        )
        out.append(
            "  verdicts: " + (", ".join(f"{k} {v}" for k, v in sorted(labels.items())) or "none")
        )
        if verbose or any("unlabelled" in k for k in labels):
            out.extend(listed)
        data["real"] = {
            "units": sample_units, "changed_lines": lines, "before_gate": before,
            "after_gate": after, "verdicts": dict(labels),
        }  # fmt: skip
    for run in runs:
        errors.extend(n for n in run.notes if "not reviewed" in n or "unreadable" in n)
    out.append(f"  errors: {len(errors)}")
    out.extend(f"    {e[:300]}" for e in errors[:10])
    data["errors"] = errors
    return "\n".join(out), data


def _brief(finding: dict[str, Any], run: UnitRun, hit: bool | None) -> dict[str, Any]:
    """What a hand verdict needs: where, what it says, whether the gate showed it."""
    shown = {f["fingerprint"] for f in run.after_gate}
    return {
        "path": finding["path"], "line": finding["line"], "rule": finding["rule"],
        "confidence": finding["confidence"], "message": finding["message"],
        "fix": finding["fix"], "shown": finding["fingerprint"] in shown, "hit": hit,
        "critique": run.features.get(finding["fingerprint"], {}).get("critique_score"),
    }  # fmt: skip


def endpoint(base_url: str | None, model: str | None, api_key: str | None) -> tuple[str, str, str]:
    url = base_url or os.environ.get("OPENAI_BASE_URL", "")
    if not url:
        raise BenchError(
            "--llm needs an endpoint: --base-url or OPENAI_BASE_URL (see tactful llm serve)"
        )
    return (
        url,
        model or os.environ.get("TACTFUL_MODEL", "local"),
        api_key or os.environ.get("OPENAI_API_KEY", "local"),
    )


def add_arguments(parser: Any) -> None:
    group = parser.add_argument_group("--llm (a real model behind an OpenAI-compatible endpoint)")
    group.add_argument("--llm", action="store_true", help="review the corpus with the model too")
    group.add_argument("--base-url", help="endpoint (default: OPENAI_BASE_URL)")
    group.add_argument("--model", help="model name (default: TACTFUL_MODEL, else 'local')")
    group.add_argument("--api-key", help="default: OPENAI_API_KEY, else 'local'")
    group.add_argument("--prompt", choices=("review.v1", "review.v2", "both"), default="both")
    group.add_argument("--context", choices=("on", "off", "both"), default="both")
    group.add_argument(
        "--categories", default=",".join(LOGIC_CATEGORIES),
        help="planted categories, comma-separated (default: the logic defects)",
    )  # fmt: skip
    group.add_argument("--limit", type=int, default=0, help="at most N planted cases per category")
    group.add_argument(
        "--real", default=",".join(REAL_PROJECTS), help="real-diff projects ('' for none)"
    )
    group.add_argument("--sample", type=int, default=4, help="units sampled per real diff")
    group.add_argument("--seed", type=int, default=13)
    group.add_argument("--max-prompt-tokens", type=int, default=1_500)
    group.add_argument(
        "--critique", action="store_true", help="also score each finding (a gate feature)"
    )
    group.add_argument(
        "--samples", type=int, default=1, help="llm.samples: self-consistency over N samples"
    )


def main_llm(args: Any, corpus: Corpus, work: Path) -> tuple[str, dict[str, Any]]:
    """Every asked-for configuration, one after the other (the endpoint serves one at a time)."""
    url, model, key = endpoint(args.base_url, args.model, args.api_key)
    categories = [c for c in args.categories.split(",") if c]
    per_category: dict[str, list[Case]] = defaultdict(list)
    for case in corpus.cases:
        if (
            case.kind == "planted"
            and case.category in categories
            and (not args.case or case.id in args.case)
        ):
            per_category[case.category].append(case)
    cases = [c for group in per_category.values() for c in group[: args.limit or None]]
    projects = [p for p in args.real.split(",") if p]
    diffs = [d for d in corpus.real if d.project in projects]
    versions = ("review.v1", "review.v2") if args.prompt == "both" else (args.prompt,)
    contexts = (True, False) if args.context == "both" else (args.context == "on",)
    texts, data = [], {}
    for version in versions:
        for context in contexts:
            config = LlmConfig(
                url, model, key, version, context, args.max_prompt_tokens,
                critique=args.critique, samples=args.samples,
            )  # fmt: skip
            planted = run_planted(corpus, cases, config)
            reals = {}
            for diff in diffs:
                try:
                    reals[diff.project] = run_real(
                        corpus, diff, config, work, args.sample, args.seed
                    )
                except BenchError as exc:
                    print(f"  {config.label}: {diff.project}: {exc}")
                print(f"  {config.label}: real {diff.project} done", flush=True)
            text, item = summarise(config, planted, reals, args.verbose)
            print(text, flush=True)
            texts.append(text)
            data[config.label] = item
    return "\n".join(texts), data
