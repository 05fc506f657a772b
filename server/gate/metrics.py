"""Evaluation measures for the gate: ROC AUC, precision/recall/F1, calibration error, plots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class Scores:
    n: int
    positives: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    auc: float
    ece: float

    def row(self) -> list[str]:
        return (
            [str(self.n), str(self.positives)]
            + [
                f"{100 * v:.1f}" if v == v else "n/a"
                for v in (self.accuracy, self.precision, self.recall, self.f1, self.auc)
            ]
            + [f"{self.ece:.3f}"]
        )


HEADER = ["n", "y=1", "Acc", "P", "R", "F1", "AUC", "ECE"]


def roc_auc(labels: ArrayLike, probs: ArrayLike) -> float:
    """Area under the ROC curve (the Mann-Whitney statistic); NaN with only one class."""
    y = np.asarray(labels)
    p = np.asarray(probs, dtype=float)
    pos, neg = p[y == 1], p[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def expected_calibration_error(labels: ArrayLike, probs: ArrayLike, bins: int = 10) -> float:
    y = np.asarray(labels, dtype=float)
    p = np.asarray(probs, dtype=float)
    if len(y) == 0:
        return float("nan")
    which = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(p[mask].mean() - y[mask].mean())
    return float(total / len(y))


def scores(labels: ArrayLike, probs: ArrayLike, threshold: float = 0.5) -> Scores:
    y = np.asarray(labels, dtype=int)
    pred = (np.asarray(probs, dtype=float) >= threshold).astype(int)
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = float((pred == y).mean()) if len(y) else float("nan")
    return Scores(len(y), int(y.sum()), accuracy, precision, recall, f1, roc_auc(y, probs),
                  expected_calibration_error(y, probs))  # fmt: skip


def reliability_diagram(
    labels: ArrayLike, probs: ArrayLike, out: Path, title: str, bins: int = 10
) -> Path:
    """Save a reliability diagram (predicted vs observed rate per bin) as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y = np.asarray(labels, dtype=float)
    p = np.asarray(probs, dtype=float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    centers, observed, counts = [], [], []
    for b in range(bins):
        mask = which == b
        if mask.any():
            centers.append(p[mask].mean())
            observed.append(y[mask].mean())
            counts.append(int(mask.sum()))
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.plot(
        centers, observed, "o-", label=f"gate (ECE {expected_calibration_error(y, p, bins):.3f})"
    )
    for cx, oy, n in zip(centers, observed, counts, strict=True):
        ax.annotate(str(n), (cx, oy), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed rate")
    ax.set_title(title)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return out
