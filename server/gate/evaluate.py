"""Reports for ``tactful gate eval``: stage 1 (shipped prior, or ``--cv``), stage 2 from logged decisions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tactful.server.gate.metrics import Scores, scores
from tactful.server.gate.stage1 import UnitGate
from tactful.server.gate.train import DataError, Record, cross_validated, load_records

CODEREVIEWER = {"precision": 78.6, "recall": 65.6, "f1": 71.5, "accuracy": 73.9}
"""CodeReviewer's reported quality-estimation figures (Li et al., 2022), for comparison."""


@dataclass(frozen=True)
class Report:
    title: str
    rows: list[tuple[str, Scores]]
    labels: list[int]
    probs: list[float]


def stage1_report(
    records: Sequence[Record], *, folds: int = 10, repeats: int = 3, threshold: float = 0.5,
    cv: bool = False,
) -> list[Report]:  # fmt: skip
    """Stage-1 figures on ``records``: the shipped prior by default (new data, no training),
    cross-validated only with ``cv``. Beside all hunks: first hunks only (the position
    artifact: in CodeReviewer every positive is a file's first hunk, so position alone scores
    well) and without new-file hunks; per language; the always-show and ``idx == 1`` baselines."""
    how = "cross-validated" if cv else "shipped prior"
    prior = None if cv else UnitGate.from_prior()
    reports = []
    for title, subset in (
        ("all hunks", list(records)),
        ("first hunks only (idx == 1)", [r for r in records if r.position == 1]),
        ("without new-file hunks", [r for r in records if not r.shape.new_file]),
    ):
        if not subset or (title.startswith("first") and all(r.position is None for r in records)):
            continue
        labels = [r.label for r in subset]
        if prior is not None:
            probs = [prior.score(r.shape) for r in subset]
        elif len(set(labels)) < 2:
            continue  # one class only: nothing to cross-validate (scoring the prior still works)
        else:
            folds_here = max(2, min(folds, sum(labels), len(labels) - sum(labels)))
            probs = [float(p) for p in cross_validated(subset, folds=folds_here, repeats=repeats)]
        rows = [(f"gate ({how})", scores(labels, probs, threshold)),
                ("always show", scores(labels, [1.0] * len(labels), threshold))]  # fmt: skip
        if any(r.position is not None for r in subset):
            by_position = [1.0 if r.position == 1 else 0.0 for r in subset]
            rows.append(("position only (idx == 1)", scores(labels, by_position, threshold)))
        for lang in sorted({r.language for r in subset}):
            idx = [i for i, r in enumerate(subset) if r.language == lang]
            rows.append(
                (
                    f"  lang {lang}",
                    scores([labels[i] for i in idx], [probs[i] for i in idx], threshold),
                )
            )
        reports.append(Report(title, rows, labels, probs))
    return reports


def logged_report(path: Path, threshold: float) -> Report:
    """Stage 2 from a feedback export: the probability logged when shown vs the later verdict."""
    predicted: dict[str, float] = {}
    outcome: dict[str, int] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
                kind, fingerprint = event["kind"], event["fingerprint"]
            except (ValueError, KeyError, TypeError) as exc:
                raise DataError(f"{path}:{number}: not a feedback event ({exc})") from exc
            if kind in ("shown", "hidden") and event.get("probability") is not None:
                predicted.setdefault(fingerprint, float(event["probability"]))
            elif kind in ("accepted", "edited_after_accept", "resolved_by_edit"):
                outcome[fingerprint] = 1
            elif kind in ("rejected", "dismissed", "ignored"):
                outcome.setdefault(fingerprint, 0)
    keys = [k for k in outcome if k in predicted]
    if not keys:
        raise DataError(f"{path}: no gate decision followed by a verdict")
    labels = [outcome[k] for k in keys]
    probs = [predicted[k] for k in keys]
    rows = [("gate (logged, progressive)", scores(labels, probs, threshold)),
            ("always show", scores(labels, [1.0] * len(labels), threshold))]  # fmt: skip
    return Report("stage 2 from the feedback log", rows, labels, probs)


def evaluate_file(
    path: Path, threshold: float, folds: int = 10, repeats: int = 3, cv: bool = False
) -> list[Report]:
    """Stage-1 records (``patch``/``y``) or a feedback export (``kind``/``probability``)."""
    with open(path, encoding="utf-8") as handle:
        first = next((line for line in handle if line.strip()), "")
    try:
        head = json.loads(first) if first else {}
    except ValueError as exc:
        raise DataError(f"{path}:1: not JSON ({exc})") from exc
    if isinstance(head, dict) and "patch" in head:
        records = load_records(path)
        return stage1_report(records, folds=folds, repeats=repeats, threshold=threshold, cv=cv)
    if isinstance(head, dict) and "kind" in head:
        return [logged_report(path, threshold)]
    raise DataError(f"{path}: expected quality-estimation records or a feedback JSONL export")
