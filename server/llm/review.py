"""The LLM reviewer: one prompt per change unit, validated findings, counted costs.

:func:`review_units_async` is the API for the LSP server (async, cancellable: cancelling
the task, or setting ``cancel_event``, aborts the HTTP requests in flight).
:mod:`tactful.server.llm.stage` wraps it for the CLI pipeline. Requests run at most
``llm.max_concurrency`` at a time; each is reserved against the per-review token budget
before it is sent, and units that do not fit are listed in the outcome's notes. Replies
are cached by prompt hash and model, so an unchanged unit costs nothing the second time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
from tactful.analyzers.model import ChangeUnit, Finding
from tactful.server.llm import consistency, critique
from tactful.server.llm.cache import ReplyCache
from tactful.server.llm.claims import names_question
from tactful.server.llm.client import LlmCallError, LlmClient
from tactful.server.llm.notes import MAX_LISTED_UNITS, review_notes
from tactful.server.llm.parse import normalise_finding, parse_reply
from tactful.server.llm.prompt import Prompt, estimate_tokens, review_prompt, schema
from tactful.server.llm.removed import removal_anchors
from tactful.server.llm.validate import duplicates, validate
from tactful.server.settings import (
    LLM_DISABLED_NOTE,
    LLM_OFF_NOTE,
    LlmSettings,
    Settings,
    cache_dir,
    llm_off_reason,
    resolve_llm,
)

if TYPE_CHECKING:
    from tactful.server.pipeline import FileReview

log = logging.getLogger(__name__)

OFF_NOTE = LLM_OFF_NOTE
DISABLED_NOTE = LLM_DISABLED_NOTE
DEFAULT_MODEL = "default"
FIX_VALIDATED = "llm.fix_validated"
AGREEMENT = "llm.agreement"

ContextText = Callable[[ChangeUnit], str]


@dataclass
class LlmOutcome:
    """What the LLM reviewer adds to a review."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    features: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per finding fingerprint: ``llm_confidence``, ``llm.fix_validated`` (1 when the model's fix
    applied and parsed, 0 when it was dropped; absent without a fix) and, with the critique
    pass, ``critique_score``: the display gate's inputs."""
    critique_reasons: dict[str, str] = field(default_factory=dict)
    skipped_units: list[str] = field(default_factory=list)
    """``path:unit`` of units not reviewed because the token budget ran out."""


def endpoint_settings(settings: Settings) -> LlmSettings:
    """LLM settings with the environment filled in and a default model name."""
    llm = resolve_llm(settings.llm)
    return dataclasses.replace(llm, model=llm.model or DEFAULT_MODEL)


off_reason = llm_off_reason


class LlmReviewer:
    """Client and reply cache, reusable across reviews (the LSP server keeps one)."""

    def __init__(
        self, settings: Settings, *, backoff_s: float = 0.5, cache: ReplyCache | None = None
    ) -> None:
        self.llm = endpoint_settings(settings)
        self.client = LlmClient(self.llm, backoff_s=backoff_s)
        self.cache = cache if cache is not None else ReplyCache(cache_dir(settings))

    async def aclose(self) -> None:
        await self.client.close()
        self.cache.close()

    async def review(
        self,
        files: Sequence[FileReview],
        *,
        critique_pass: bool = False,
        context_text: ContextText | None = None,
        instructions: str = "",
    ) -> LlmOutcome:
        run = _Run(self, context_text, instructions, critique_pass)
        return await run.all(files)


async def review_units_async(
    files: Sequence[FileReview],
    settings: Settings,
    *,
    cancel_event: asyncio.Event | None = None,
    context_text: ContextText | None = None,
    instructions: str | None = None,
    root: str | Path | None = None,
    reviewer: LlmReviewer | None = None,
    unit_filter: Callable[[ChangeUnit], bool] | None = None,
) -> LlmOutcome:
    """Review every change unit of ``files`` with the model.

    ``unit_filter`` (the display gate's stage 1) drops units not worth a model call; they
    are counted as ``llm.units.skipped-gate``.

    Raises :class:`asyncio.CancelledError` when the calling task is cancelled or
    ``cancel_event`` is set; either way the HTTP requests in flight are aborted.
    ``instructions`` defaults to ``<root>/.tactful/instructions.md``.
    """
    reason = off_reason(settings)
    if reason:
        return LlmOutcome(notes=[reason])
    if instructions is None:
        instructions = read_instructions(root)
    skipped_by_gate = 0
    if unit_filter is not None:
        kept_files = []
        for file in files:
            kept = tuple(u for u in file.units if unit_filter(u))
            skipped_by_gate += len(file.units) - len(kept)
            kept_files.append(dataclasses.replace(file, units=kept))
        files = kept_files
    own = reviewer is None
    active = reviewer or LlmReviewer(settings)
    try:
        work = active.review(
            files,
            critique_pass=settings.llm.critique,
            context_text=context_text,
            instructions=instructions,
        )
        outcome = await (work if cancel_event is None else _unless_cancelled(work, cancel_event))
        if skipped_by_gate:
            outcome.counters["llm.units.skipped-gate"] = skipped_by_gate
        return outcome
    finally:
        if own:
            await asyncio.shield(active.aclose())


def read_instructions(root: str | Path | None) -> str:
    if root is None:
        return ""
    path = Path(root) / ".tactful" / "instructions.md"
    try:
        return path.read_text("utf-8", "replace")
    except OSError:
        return ""


async def _unless_cancelled(
    work: Coroutine[Any, Any, LlmOutcome], cancel_event: asyncio.Event
) -> LlmOutcome:
    task = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(cancel_event.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if task.done():
        return task.result()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    raise asyncio.CancelledError("LLM review superseded")


@dataclass
class _UnitWork:
    unit: ChangeUnit
    file: FileReview
    prompt: Prompt
    context: str


class _Run:
    """One review's state: budget, counters, errors."""

    def __init__(
        self,
        reviewer: LlmReviewer,
        context_text: ContextText | None,
        instructions: str,
        critique_pass: bool,
    ) -> None:
        self.reviewer = reviewer
        self.client = reviewer.client
        self.model = reviewer.llm.model
        self.budget = reviewer.llm.token_budget
        self.context_text = context_text
        self.instructions = instructions
        self.critique_pass = critique_pass
        self.spent = 0
        self.reserved = 0
        self.counts: Counter[str] = Counter()
        self.errors: dict[str, tuple[int, str]] = {}
        self.parse_errors: list[str] = []
        self.fix_problems: list[str] = []
        self.fix_validated: dict[str, float] = {}
        self.agreement: dict[str, float] = {}
        self.samples = max(1, reviewer.llm.samples)
        self.outcome = LlmOutcome()
        self.semaphore = asyncio.Semaphore(max(1, reviewer.llm.max_concurrency))
        self.version = reviewer.llm.prompt_version
        self.max_prompt_tokens = reviewer.llm.max_prompt_tokens
        self.validator = jsonschema.Draft202012Validator(schema(self.version))

    async def all(self, files: Sequence[FileReview]) -> LlmOutcome:
        before = Counter(self.client.stats.counts)
        work = [w for f in files for w in self._prepare(f)]
        tasks = [asyncio.ensure_future(self._unit(w)) for w in work]
        deadline = self.reviewer.llm.deadline_s
        if tasks:
            # One deadline for the whole review: whatever the endpoint does (hang, drip, retry
            # storms), the review ends by then and says which units the model did not see.
            done, pending = await asyncio.wait(tasks, timeout=deadline if deadline > 0 else None)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        late: list[str] = []
        for w, task in zip(work, tasks, strict=True):
            name = f"{w.unit.path}:{w.unit.name}"
            if task.cancelled():
                late.append(name)
                self.counts["llm.units.deadline"] += 1
                continue
            failure = task.exception()
            if failure is not None:  # one unit's surprise must not cost the others their findings
                log.error("LLM review of %s failed", name, exc_info=failure)
                self.counts["llm.errors.unexpected"] += 1
                count, message = self.errors.get(
                    "unexpected", (0, f"{failure.__class__.__name__}: {failure}"[:200])
                )
                self.errors["unexpected"] = (count + 1, message)
                continue
            self._add(task.result())
        if late:
            self.outcome.notes.append(
                f"LLM reviewer: deadline of {deadline:g} s reached; {len(late)} of {len(work)} unit(s) not reviewed"
                f" by the model ({', '.join(late[:MAX_LISTED_UNITS])}{', ...' if len(late) > MAX_LISTED_UNITS else ''})"
            )
        after = self.client.stats.counts
        for key in after:
            if after[key] - before[key]:
                self.counts[key] += after[key] - before[key]
        self._finish(len(work))
        return self.outcome

    def _prepare(self, file: FileReview) -> list[_UnitWork]:
        if file.new_text is None:
            return []
        prepared = []
        for unit in file.units:
            if not unit.changed_new_lines:
                # A pure deletion (often a dropped check) goes to the model when part of the
                # unit survives to anchor a finding on; a deleted unit has nowhere to go.
                if unit.new_span is None or not removal_anchors(unit):
                    self.counts["llm.units.no-added-lines"] += 1
                    continue
                self.counts["llm.units.pure-deletion"] += 1
            context = self._context(unit)
            prompt = review_prompt(
                unit,
                context=context,
                instructions=self.instructions,
                version=self.version,
                max_tokens=self.max_prompt_tokens,
            )
            if prompt.redactions:
                self.counts["llm.redactions"] += prompt.redactions
            prepared.append(_UnitWork(unit, file, prompt, context))
        return prepared

    def _context(self, unit: ChangeUnit) -> str:
        if self.context_text is None:
            return ""
        try:
            return self.context_text(unit)
        except Exception as exc:  # context is a bonus; the review goes on without it
            log.exception("context for %s failed", unit.name)
            self.counts["llm.context-failed"] += 1
            self.errors.setdefault(
                "context", (0, f"call-graph context failed: {exc.__class__.__name__}: {exc}")
            )
            return ""

    async def _unit(self, work: _UnitWork) -> list[Finding]:
        samples: list[list[Finding]] = []
        for sample in range(self.samples):
            async with self.semaphore:
                text = await self._ask(work, sample)
            if text is None:
                break  # budget or endpoint failure: agree over the samples that came
            samples.append(self._read(work, text))
        if not samples:
            return []
        found = samples[0]
        if self.samples > 1:
            kept, dropped = consistency.agreeing(samples)
            if dropped:
                self.counts["llm.dropped.no-agreement"] += dropped
            found = [f for f, _ in kept]
            for finding, share in kept:
                self.agreement[finding.fingerprint] = share
        if found and self.critique_pass:
            await self._critique(work, found)
        return found

    def _read(self, work: _UnitWork, text: str) -> list[Finding]:
        parsed = parse_reply(text, "findings")
        if parsed.error:
            self.counts["llm.parse.failed"] += 1
            self.parse_errors.append(f"{work.unit.path}:{work.unit.name}: {parsed.error}")
            return []
        if parsed.repair:
            self.counts[f"llm.parse.repaired.{parsed.repair}"] += 1
        elif self.validator.is_valid({"findings": parsed.items}):
            self.counts["llm.replies.schema-valid"] += 1
        return self._validate(work, parsed.items)

    async def _ask(self, work: _UnitWork, sample: int = 0) -> str | None:
        """The reply text for a unit: from the cache, or from the endpoint within budget."""
        key = work.prompt.key(self.model) + (f":sample{sample}" if sample else "")
        cached = self.reviewer.cache.get(key)
        if cached is not None:
            self.counts["llm.cache.hits"] += 1
            return str(cached.get("text", ""))
        estimate = estimate_tokens(work.prompt.chars) + self.client.max_tokens
        if self.spent + self.reserved + estimate > self.budget:
            self.outcome.skipped_units.append(f"{work.unit.path}:{work.unit.name}")
            self.counts["llm.units.skipped-budget"] += 1
            return None
        self.reserved += estimate
        try:
            completion = await self.client.complete(
                work.prompt.messages, schema(self.version), "review", sample=sample
            )
        except LlmCallError as exc:
            count, message = self.errors.get(exc.kind, (0, str(exc)))
            self.errors[exc.kind] = (count + 1, message)
            self.counts[f"llm.errors.{exc.kind}"] += 1
            return None
        finally:
            self.reserved -= estimate
        self._spend(completion.prompt_tokens, completion.completion_tokens)
        self.counts["llm.replies"] += 1
        # Where a unit's seconds go (llama-server reports it; other endpoints leave 0s).
        for counter, value in (
            ("llm.time.prompt-ms", round(completion.prompt_ms)),
            ("llm.time.generation-ms", round(completion.generation_ms)),
            ("llm.tokens.prompt-cached", completion.cached_tokens),
        ):
            if value:
                self.counts[counter] += value
        if parse_reply(completion.text, "findings").error == "":
            self.reviewer.cache.put(
                key,
                {
                    "text": completion.text,
                    "prompt_tokens": completion.prompt_tokens,
                    "completion_tokens": completion.completion_tokens,
                    "mode": completion.mode,
                },
            )
        return completion.text

    def _spend(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.spent += prompt_tokens + completion_tokens
        self.counts["llm.tokens.prompt"] += prompt_tokens
        self.counts["llm.tokens.completion"] += completion_tokens

    def _validate(self, work: _UnitWork, items: Sequence[object]) -> list[Finding]:
        found: list[Finding] = []
        assert work.file.new_text is not None
        for item in items:
            raw = normalise_finding(item)
            if raw is None:
                self.counts["llm.dropped.malformed"] += 1
                continue
            verdict = validate(
                raw, work.unit, work.file.new_text, work.file.language, context=work.context
            )
            if verdict.finding is None:
                self.counts[f"llm.dropped.{verdict.dropped}"] += 1
                continue
            if self.version == "review.v2" and not names_question(raw.message, raw.category):
                self.counts["llm.dropped.no-question-named"] += 1
                continue
            if verdict.removed_code:
                self.counts["llm.anchored.removed-lines"] += 1
            if verdict.fix_dropped:
                self.counts[f"llm.fix-dropped.{verdict.fix_dropped}"] += 1
                self.fix_problems.append(verdict.fix_detail)
            if verdict.finding.fix is not None or verdict.fix_dropped:
                # A gate feature: a model whose own fix does not apply is less to be trusted.
                self.fix_validated[verdict.finding.fingerprint] = float(
                    verdict.finding.fix is not None
                )
            if any(
                f.fingerprint == verdict.finding.fingerprint or duplicates(verdict.finding, f)
                for f in found
            ):
                self.counts["llm.dropped.duplicate"] += 1
                continue
            found.append(verdict.finding)
        return found

    async def _critique(self, work: _UnitWork, found: list[Finding]) -> None:
        prompt = critique.build(work.unit, found)
        estimate = estimate_tokens(prompt.chars) + self.client.max_tokens
        if self.spent + self.reserved + estimate > self.budget:
            self.counts["llm.critique.skipped-budget"] += 1
            return
        key = prompt.key(self.model)
        cached = self.reviewer.cache.get(key)
        try:
            if cached is not None:
                self.counts["llm.cache.hits"] += 1
                text = str(cached.get("text", ""))
            else:
                self.reserved += estimate
                try:
                    async with self.semaphore:
                        text, prompt_tokens, completion_tokens = await critique.score(
                            self.client, prompt
                        )
                finally:
                    self.reserved -= estimate
                self._spend(prompt_tokens, completion_tokens)
                self.reviewer.cache.put(key, {"text": text})
        except LlmCallError as exc:
            self.counts["llm.critique.failed"] += 1
            self.errors.setdefault("critique", (0, f"critique pass failed: {exc}"))
            return
        scores, error = critique.read_scores(text, len(found))
        if error:
            self.counts["llm.critique.unreadable"] += 1
        for index, (value, reason) in scores.items():
            fingerprint = found[index].fingerprint
            self.outcome.features.setdefault(fingerprint, {})["critique_score"] = value
            if reason:
                self.outcome.critique_reasons[fingerprint] = reason
        self.counts["llm.critique.scored"] += len(scores)

    def _add(self, found: list[Finding]) -> None:
        for finding in found:
            if any(finding.fingerprint == f.fingerprint for f in self.outcome.findings):
                self.counts["llm.dropped.duplicate"] += 1
                continue
            self.outcome.findings.append(finding)
            features = self.outcome.features.setdefault(finding.fingerprint, {})
            features["llm_confidence"] = finding.confidence
            if finding.fingerprint in self.fix_validated:
                features[FIX_VALIDATED] = self.fix_validated[finding.fingerprint]
            if finding.fingerprint in self.agreement:
                features[AGREEMENT] = self.agreement[finding.fingerprint]

    def _finish(self, units: int) -> None:
        notes = self.outcome.notes
        self.counts["llm.units.reviewed"] += (
            units
            - self.counts["llm.units.skipped-budget"]
            - self.counts["llm.units.deadline"]
            - self.counts["llm.errors.unexpected"]
        )
        self.counts["llm.findings"] += len(self.outcome.findings)
        notes.extend(
            review_notes(
                self.counts, self.errors, self.parse_errors, self.fix_problems,
                self.outcome.skipped_units, self.budget, units,
            )
        )  # fmt: skip
        if self.reviewer.cache.problem:
            notes.append(self.reviewer.cache.problem)
        self.outcome.counters = dict(sorted(self.counts.items()))
