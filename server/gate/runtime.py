"""The gate as one object, and the pipeline stage that applies it.

:class:`Gate` bundles stage 1, stage 2, the developer's history and the persisted per-user
model; it learns from every verdict event it observes (subscribe it to the feedback sink).
:class:`DisplayGate` applies stage 2 to a review: the offline findings as a pipeline stage,
and each late stage's findings as they arrive. It moves hidden findings to
``result.hidden`` and logs a ``shown`` or ``hidden`` event for each finding, with the
decision's inputs from the LLM (critique score, the model's confidence).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tactful.analyzers.context import UnitCalls, build_context, render_for_prompt
from tactful.analyzers.model import ChangeUnit, Finding
from tactful.server.feedback.events import FeedbackEvent
from tactful.server.feedback.sink import FeedbackSink
from tactful.server.feedback.store import FeedbackStore, FeedbackStoreError
from tactful.server.gate.constraint import STRATA_KEY, outcomes_from_log
from tactful.server.gate.history import GateHistory
from tactful.server.gate.model import load_prior
from tactful.server.gate.ownership import Ownership, git_email
from tactful.server.gate.situation import OWN_KEY
from tactful.server.gate.snapshot import context_snapshot
from tactful.server.gate.stage1 import UnitGate
from tactful.server.gate.stage2 import Decision, SuggestionGate
from tactful.server.pipeline import add_counters
from tactful.server.settings import GateSettings, Settings, resolve_llm

if TYPE_CHECKING:
    from tactful.server.pipeline import Change, ReviewResult

log = logging.getLogger(__name__)

SAVE_EVERY = 20

StateSaver = Callable[[str, dict[str, Any]], bool]
"""Writes the gate's learned state under a key; False when it could not."""
"""Verdicts between saves of the learned state."""
UNIT_CACHE = 4096


LOGGED_MEMORY = 8192
"""Fingerprints remembered as logged: a long editor session decides tens of thousands of
distinct suggestions; one forgotten long ago is logged again, which the log tolerates (the
constraint joins a verdict to the latest decision before it)."""


class LoggedDecisions:
    """The most recent fingerprints whose decision was logged (bounded, oldest forgotten first)."""

    def __init__(self, capacity: int = LOGGED_MEMORY) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first(self, fingerprint: str) -> bool:
        """True the first time ``fingerprint`` is seen (since it was last forgotten)."""
        if fingerprint in self._seen:
            self._seen.move_to_end(fingerprint)
            return False
        self._seen[fingerprint] = None
        while len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True

    def __contains__(self, fingerprint: object) -> bool:
        return fingerprint in self._seen

    def __len__(self) -> int:
        return len(self._seen)


class Gate:
    """Stage 1 and stage 2 with the developer's history and learned state."""

    def __init__(
        self, units: UnitGate, suggestions: SuggestionGate, history: GateHistory,
        store: FeedbackStore | None = None, state_key: str = "gate",
        saver: StateSaver | None = None,
    ) -> None:  # fmt: skip
        self.units = units
        self.suggestions = suggestions
        self.history = history
        self.store = store
        self.saver = saver
        """Where :meth:`save` writes when set (the feedback sink, which outlives store outages);
        otherwise ``store``."""
        self.state_key = state_key
        self._units_of: OrderedDict[str, ChangeUnit] = OrderedDict()
        self._unsaved = 0
        self.logged = LoggedDecisions()
        """Fingerprints whose shown/hidden decision is already in the log (an editor re-reviews
        on every edit; the log keeps one decision per suggestion and session)."""

    @classmethod
    def open(
        cls, settings: GateSettings, store: FeedbackStore | None = None, *, user: str = "", team: str = "",
        seed: int | None = None, prior: dict[str, Any] | None = None, repository: str = "",
        saver: StateSaver | None = None,
    ) -> Gate:  # fmt: skip
        """A gate for one (hashed) user and team, restored from ``store`` when it has state."""
        prior = prior or load_prior()
        units = UnitGate.from_prior(prior)
        suggestions = SuggestionGate.from_prior(settings, prior, units, seed)
        history = GateHistory(user=user, team=team, repository=repository)
        gate = cls(units, suggestions, history, store, state_key=f"gate:{user}", saver=saver)
        if store is not None:
            try:
                gate.history = GateHistory.from_store(store, user, team)
                gate.history.repository = repository
                # The hide constraint's outcomes: logged decisions (P, propensity) and their verdicts.
                suggestions.constraint.extend(outcomes_from_log(store.iter_events(), user))
                state = store.load_state(gate.state_key)
            except FeedbackStoreError as exc:
                log.error("%s; the gate starts from its prior", exc)
                state = None
            if state:
                gate.load_state(state)
        return gate

    def decide(
        self, finding: Finding, unit: ChangeUnit | None, *, critique: float | None = None,
        llm_confidence: float | None = None, extra: Mapping[str, float] | None = None,
        now: float | None = None,
    ) -> Decision:  # fmt: skip
        if unit is not None:
            self._units_of[finding.fingerprint] = unit
            while len(self._units_of) > UNIT_CACHE:
                self._units_of.popitem(last=False)
        return self.suggestions.decide(
            finding, unit, self.history, critique=critique, llm_confidence=llm_confidence,
            extra=extra, now=now,
        )  # fmt: skip

    def observe(self, event: FeedbackEvent) -> None:
        """Learn from one event (verdicts only; shown and hidden events are ignored)."""
        if event.label is None:
            return
        categories = self.suggestions.categories_of(event.fingerprint)
        self.suggestions.observe(event)
        self.history.observe(event, categories)
        unit = self._units_of.get(event.fingerprint)
        if unit is not None:
            self.units.update(unit, unit.language, event.label == 1)
        self._unsaved += 1
        if self._unsaved >= SAVE_EVERY:
            self.save()

    def state(self) -> dict[str, Any]:
        return {
            "version": 1,
            "stage1": self.units.model.state(),
            "stage2": self.suggestions.model.state(),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        if state.get("version") != 1:
            return
        self.units.model.load_state(state.get("stage1", {}))
        self.suggestions.model.load_state(state.get("stage2", {}))

    def save(self) -> None:
        """Persist the learned state beside the feedback log (never raises)."""
        self._unsaved = 0
        if self.saver is not None:
            if not self.saver(self.state_key, self.state()):
                log.warning("gate state not saved now (feedback log unavailable); it is saved "
                            "again after the next verdicts")  # fmt: skip
            return
        if self.store is None:
            return
        try:
            self.store.save_state(self.state_key, self.state())
        except FeedbackStoreError as exc:
            log.error("%s; gate state not saved", exc)


class DisplayGate:
    """Gate stage 2 over a review's findings, logging each decision once per session.

    As a pipeline stage it decides every offline finding; a late stage calls :meth:`apply`
    with the findings it added. The gate's settings are the ones it was opened with: a
    change of settings opens a new session (and gate), nothing here is mutated.
    """

    def __init__(
        self, gate: Gate, sink: FeedbackSink | None, client: str, lock: threading.Lock | None = None
    ) -> None:
        self.gate = gate
        self.sink = sink
        self.client = client
        self.lock = lock or threading.Lock()
        """The editor decides in worker threads (offline) and on the event loop (late)."""
        if sink is not None and not gate.history.repository:
            gate.history.repository = sink.repository
        self.ownership: Ownership | None = None
        """Blame lookups, once the offline stage has named the repository root."""
        self.model = ""
        self.context_tokens = 0
        self.prompt_version = ""

    def __call__(self, result: ReviewResult, change: Change, settings: Settings) -> None:
        # The offline stage runs first in every review: it names the repository and model
        # the late stages' findings (decided through :meth:`apply`) come from.
        if change.root and (self.ownership is None or str(self.ownership.root) != change.root):
            root = Path(change.root)
            self.ownership = Ownership(root, git_email(root))
        self.model = resolve_llm(settings.llm).model
        self.context_tokens = settings.llm.context_tokens
        self.prompt_version = settings.llm.prompt_version
        self.apply(result, list(result.findings))

    __name__ = "display_gate"

    def apply(self, result: ReviewResult, findings: Sequence[Finding]) -> None:
        """Decide ``findings`` (already in ``result.findings``); move the hidden ones to ``result.hidden``."""
        units = {(u.path, u.name): u for u in result.units}
        hidden: set[str] = set()
        counts = {"gate.shown": 0, "gate.hidden": 0, "gate.explored": 0}
        head = self.ownership.head() if self.ownership is not None and findings else ""
        now = time.time()
        with self.lock:
            for finding in findings:
                unit = units.get((finding.path, finding.unit))
                features = result.features.setdefault(finding.fingerprint, {})
                if self.ownership is not None and OWN_KEY not in features:
                    own = self.ownership.own_share(finding, unit, head)
                    if own is not None:
                        features[OWN_KEY] = own
                inputs = decision_inputs(features)
                decision = self.gate.decide(finding, unit, **inputs, extra=features, now=now)
                # Recorded for later ranking (``--max-findings`` keeps the N the gate rates highest).
                result.features.setdefault(finding.fingerprint, {})[GATE_PROBABILITY] = (
                    decision.probability
                )
                if not decision.show:
                    hidden.add(finding.fingerprint)
                    result.hidden.append(finding)
                counts["gate.shown" if decision.show else "gate.hidden"] += 1
                counts["gate.explored"] += int(decision.explored)
                log.debug("gate %s %s: %s p=%.3f %s", "shows" if decision.show else "hides", finding.rule,
                          decision.reason, decision.probability, inputs)  # fmt: skip
                if self.sink is not None and self.gate.logged.first(finding.fingerprint):
                    extra: dict[str, Any] = {"probability": decision.probability, "propensity": decision.propensity,
                                             "explored": decision.explored}  # fmt: skip
                    extra.update({key: value for key, value in inputs.items() if value is not None})
                    extra.update({k: v for k, v in features.items() if k != GATE_PROBABILITY})
                    if decision.strata:
                        extra[STRATA_KEY] = list(decision.strata)
                    if decision.show:
                        sid = self._snapshot(result, finding, unit)
                        if sid:
                            extra["snapshot_id"] = sid
                    self.sink.record("shown" if decision.show else "hidden", finding, reason=decision.reason,
                                     client=self.client, extra=extra)  # fmt: skip
        if hidden:
            result.findings = [f for f in result.findings if f.fingerprint not in hidden]
        add_counters(result, counts)

    def _snapshot(self, result: ReviewResult, finding: Finding, unit: ChangeUnit | None) -> str:
        """Store the context that produced ``finding`` (once per content); its id, or ''."""
        assert self.sink is not None
        calls = ""
        if unit is not None and finding.source == "llm":
            unit_calls = result.unit_context.get((unit.path, unit.name), UnitCalls())
            context = build_context(
                unit, unit_calls.callers, unit_calls.callees, self.context_tokens
            )
            calls = render_for_prompt(context)
        parts = context_snapshot(finding, unit, calls, self.model, self.prompt_version)
        return self.sink.snapshot(*parts) if parts is not None else ""


GATE_PROBABILITY = "gate.probability"
"""Key in ``ReviewResult.features`` of the display gate's P(act) for each decided finding."""


def decision_inputs(features: Mapping[str, float]) -> dict[str, float | None]:
    """The gate inputs a reviewer attached to a finding (``ReviewResult.features``)."""
    critique = features.get("critique_score", features.get("llm.critique"))
    confidence = features.get("llm_confidence", features.get("llm.confidence"))
    return {"critique": critique, "llm_confidence": confidence}


def gate_stage(gate: Gate, sink: FeedbackSink | None, client: str) -> DisplayGate:
    """The display gate as a pipeline stage."""
    return DisplayGate(gate, sink, client)
