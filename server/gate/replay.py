"""Retrospective evaluation of the display gate: replay a feedback log through a fresh gate.

Prequential, in time order and per developer: the gate predicts each logged suggestion,
then learns its verdict, exactly as it would have live. Exploration is off (the replay
asks what the policy itself would have shown). The report says how much of what the
developer rejected the gate would have hidden (``rejects_hidden``), how much of what they
acted on it would have kept (``accepts_kept``), how much of what it hid was indeed rejected
(``hide_precision``), its calibration error, and a learning curve over a sliding window.

Input is the feedback store, or JSONL with one verdict per line:
``{"time": ISO-8601, "user": str, "repo": str, "action": "accepted"|"rejected"|"dismissed"|"ignored",
"finding": <a finding object as in review --format json>}``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tactful.analyzers.model import Finding, Severity, Span
from tactful.server.feedback.events import NEGATIVE_KINDS, POSITIVE_KINDS, FeedbackEvent
from tactful.server.gate.metrics import expected_calibration_error
from tactful.server.gate.runtime import Gate
from tactful.server.settings import GateSettings

ACTIONS = ("accepted", "rejected", "dismissed", "ignored")
CURVE_WINDOW = 50


class ReplayInputError(ValueError):
    """A line of the replay input that is not a verdict on a finding (message names the line)."""


@dataclass(frozen=True)
class Verdict:
    time: float
    user: str
    repo: str
    action: str
    finding: Finding

    @property
    def label(self) -> int:
        return 1 if self.action in POSITIVE_KINDS else 0


@dataclass(frozen=True)
class ReplayStep:
    label: int
    shown: bool
    probability: float


@dataclass
class ReplayReport:
    steps: list[ReplayStep] = field(default_factory=list)
    users: int = 0

    def _share(self, hits: int, total: int) -> float | None:
        return hits / total if total else None

    def figures(self) -> dict[str, Any]:
        rejected = [s for s in self.steps if s.label == 0]
        accepted = [s for s in self.steps if s.label == 1]
        hidden = [s for s in self.steps if not s.shown]
        labels = [s.label for s in self.steps]
        probs = [s.probability for s in self.steps]
        return {
            "events": len(self.steps),
            "users": self.users,
            "rejects_hidden": self._share(sum(not s.shown for s in rejected), len(rejected)),
            "accepts_kept": self._share(sum(s.shown for s in accepted), len(accepted)),
            "hide_precision": self._share(sum(s.label == 0 for s in hidden), len(hidden)),
            "calibration_error": expected_calibration_error(labels, probs) if self.steps else None,
            "curve": self.curve(),
        }

    def curve(self, window: int = CURVE_WINDOW) -> list[dict[str, Any]]:
        """Sliding-window rejects_hidden / accepts_kept every ``window`` events."""
        points = []
        for end in range(window, len(self.steps) + 1, window):
            chunk = self.steps[end - window : end]
            rej = [s for s in chunk if s.label == 0]
            acc = [s for s in chunk if s.label == 1]
            points.append({
                "events": end,
                "rejects_hidden": self._share(sum(not s.shown for s in rej), len(rej)),
                "accepts_kept": self._share(sum(s.shown for s in acc), len(acc)),
            })  # fmt: skip
        return points


def _finding(data: Any, where: str) -> Finding:
    if not isinstance(data, dict):
        raise ReplayInputError(f"{where}: 'finding' is not an object")
    try:
        line = int(data.get("line", 1))
        span = Span(
            line,
            int(data.get("column", 1)) - 1,
            int(data.get("endLine", line)),
            int(data.get("endColumn", 1)) - 1,
        )
        return Finding(
            path=str(data["path"]), span=span, severity=Severity(data.get("severity", "warning")),
            rule=str(data["rule"]), message=str(data.get("message", "")),
            category=str(data.get("category", "correctness")), source=str(data.get("source", "checks")),
            confidence=float(data.get("confidence", 1.0)), unit=str(data.get("unit", "")),
            # JSON carries the fingerprint, not the flagged code: it keeps distinct findings distinct.
            code=str(data.get("code") or data.get("fingerprint") or ""),
        )  # fmt: skip
    except (KeyError, ValueError, TypeError) as exc:
        raise ReplayInputError(
            f"{where}: finding is not a review --format json finding ({exc})"
        ) from exc


def read_jsonl(path: Path) -> Iterator[Verdict]:
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ReplayInputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ReplayInputError(f"{where}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or row.get("action") not in ACTIONS:
                raise ReplayInputError(f"{where}: 'action' must be one of {', '.join(ACTIONS)}")
            try:
                when = datetime.fromisoformat(str(row["time"]).replace("Z", "+00:00")).timestamp()
            except (KeyError, ValueError) as exc:
                raise ReplayInputError(f"{where}: 'time' must be ISO-8601") from exc
            yield Verdict(when, str(row.get("user", "")), str(row.get("repo", "")), row["action"],
                          _finding(row.get("finding"), where))  # fmt: skip


def from_events(events: Iterable[FeedbackEvent]) -> Iterator[Verdict]:
    """Verdicts of a feedback store (shown/hidden decisions carry no verdict and are skipped)."""
    for e in events:
        if e.kind not in POSITIVE_KINDS | NEGATIVE_KINDS:
            continue
        action = e.kind if e.kind in ACTIONS else "accepted"
        try:
            severity = Severity(e.severity)
        except ValueError:
            severity = Severity.WARNING
        finding = Finding(
            path=e.path, span=Span(1, 0, 1, 0), severity=severity, rule=e.rule, message=e.message,
            category=e.category or "correctness", source=e.source or "checks",
            confidence=e.confidence if e.confidence is not None else 1.0, unit=e.unit, code=e.fingerprint,
        )  # fmt: skip
        yield Verdict(e.time, e.user, e.repository, action, finding)


def replay(verdicts: Iterable[Verdict], settings: GateSettings) -> ReplayReport:
    """Predict-then-learn over ``verdicts`` in time order, one fresh gate per developer."""
    policy = dataclasses.replace(settings, exploration=0.0)
    gates: dict[str, Gate] = {}
    report = ReplayReport()
    for verdict in sorted(verdicts, key=lambda v: v.time):
        gate = gates.get(verdict.user)
        if gate is None:
            gate = gates[verdict.user] = Gate.open(policy, user=verdict.user)
        decision = gate.decide(verdict.finding, None)
        report.steps.append(ReplayStep(verdict.label, decision.show, decision.probability))
        gate.observe(FeedbackEvent.from_finding(verdict.action, verdict.finding, user=verdict.user,
                                                repository=verdict.repo))  # fmt: skip
    report.users = len(gates)
    return report


def plot_curve(report: ReplayReport, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = report.curve()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for key in ("rejects_hidden", "accepts_kept"):
        xs = [p["events"] for p in curve if p[key] is not None]
        ax.plot(xs, [p[key] for p in curve if p[key] is not None], marker="o", label=key)
    ax.set_xlabel("events replayed")
    ax.set_ylim(0, 1)
    ax.set_title(f"gate replay (window {CURVE_WINDOW})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out
