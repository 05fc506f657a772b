"""Offline training and evaluation of the gate's shipped prior.

Stage 1 is a logistic regression over hashed diff-shape features, trained on CodeReviewer's
quality-estimation records (``patch``, ``lang``, ``y``). Evaluation is cross-validated only:
the regularisation strength is chosen inside each training fold (nested CV), and every
record is scored by a model that never saw it. Stage 2 has no offline labels, so its prior
is a short list of expert weights (severity, category, path kind, history rates) that the
per-user online model refines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tactful.server.gate.features import DiffShape, feature_index, shape_from_patch, unit_features
from tactful.server.gate.stage1 import STAGE1_BITS

STAGE2_BITS = 16
C_GRID = (0.1, 0.3, 1.0)

STAGE2_PRIOR: dict[str, float] = {
    "bias": 0.2,
    "sev=error": 1.0, "sev=warning": 0.3, "sev=info": -0.5,
    "cat=security": 1.2, "cat=correctness": 0.6, "cat=error-handling": 0.4, "cat=performance": 0.2,
    "cat=debug": 0.3, "cat=testing": 0.0, "cat=maintainability": -0.2, "cat=style": -0.8,
    "path:generated": -2.0, "path:test": -0.3, "path:doc": -0.3,
    "has_fix": 0.3, "conf": 2.0, "critique": 2.5, "unit_need": 0.5,
    "u_rule_rate": 3.0, "u_cat_rate": 1.5, "u_sev_rate": 1.0, "u_catsev_rate": 1.5, "u_path_rate": 2.0,
    "t_rule_rate": 1.5,
}  # fmt: skip
"""Stage-2 expert prior (logit weights); the online model learns a per-user delta on top."""


@dataclass(frozen=True)
class Record:
    shape: DiffShape
    label: int
    language: str
    project: str
    position: int | None = None
    """The hunk's position in its file (CodeReviewer ``idx``, 1 = first), when the data says."""


class DataError(ValueError):
    """A data file that cannot be used; the message names the file and line."""


def load_records(path: Path) -> list[Record]:
    """Quality-estimation records (``patch``, ``y``, ``lang``) from a JSON-lines file."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict) or not isinstance(row.get("patch"), str):
                    raise ValueError("'patch' must be a string")
                idx = row.get("idx")
                records.append(Record(shape_from_patch(row["patch"], row.get("lang")), int(row["y"]),
                                      str(row.get("lang", "")), str(row.get("proj", "")),
                                      int(idx) if idx is not None else None))  # fmt: skip
            except (ValueError, KeyError, TypeError) as exc:
                raise DataError(
                    f"{path}:{number}: not a quality-estimation record ({exc.__class__.__name__}: {exc})"
                ) from exc
    if not records:
        raise DataError(f"{path}: no records")
    return records


def matrix(shapes: Iterable[DiffShape], bits: int = STAGE1_BITS) -> Any:
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    count = 0
    for r, shape in enumerate(shapes):
        count += 1
        for i, v in unit_features(shape, bits):
            rows.append(r)
            cols.append(i)
            vals.append(v)
    return csr_matrix((vals, (rows, cols)), shape=(count, 1 << bits))


def _fit(x: Any, y: np.ndarray, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, solver="liblinear", max_iter=1000, fit_intercept=False).fit(x, y)


def _choose_c(x: Any, y: np.ndarray, seed: int) -> float:
    """Regularisation by inner cross-validation on the training fold only (log loss)."""
    from sklearn.model_selection import StratifiedKFold

    folds = min(3, int(min(y.sum(), len(y) - y.sum())))
    if folds < 2:
        return 1.0
    losses = []
    for c in C_GRID:
        loss = 0.0
        for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
            p = np.clip(_fit(x[tr], y[tr], c).predict_proba(x[te])[:, 1], 1e-6, 1 - 1e-6)
            loss -= float(np.sum(y[te] * np.log(p) + (1 - y[te]) * np.log(1 - p)))
        losses.append(loss)
    return C_GRID[int(np.argmin(losses))]


def cross_validated(
    records: Sequence[Record], folds: int = 10, repeats: int = 3, seed: int = 0
) -> np.ndarray:
    """Out-of-fold P(y=1) for every record, averaged over repeats; no record scores itself."""
    from sklearn.model_selection import StratifiedKFold

    x = matrix(r.shape for r in records)
    y = np.array([r.label for r in records])
    total = np.zeros(len(records))
    for rep in range(repeats):
        for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed + rep).split(x, y):
            c = _choose_c(x[tr], y[tr], seed + rep)
            total[te] += _fit(x[tr], y[tr], c).predict_proba(x[te])[:, 1]
    return total / repeats


def train_stage1(records: Sequence[Record], seed: int = 0) -> dict[str, Any]:
    """The stage-1 prior from all ``records`` (for shipping; never for evaluation)."""
    x = matrix(r.shape for r in records)
    y = np.array([r.label for r in records])
    c = _choose_c(x, y, seed)
    coef = _fit(x, y, c).coef_[0]
    weights = {
        str(i): round(float(coef[i]), 5) for i in np.flatnonzero(coef) if abs(coef[i]) >= 1e-4
    }
    return {"bits": STAGE1_BITS, "C": c, "trained_on": len(records), "weights": weights}


def stage2_prior() -> dict[str, Any]:
    weights: dict[str, float] = {}
    for name, w in STAGE2_PRIOR.items():
        key = str(feature_index(name, STAGE2_BITS))
        weights[key] = weights.get(key, 0.0) + w
    return {"bits": STAGE2_BITS, "learning_rate": 0.2, "l2": 0.002, "weights": weights}


def build_prior(records: Sequence[Record]) -> dict[str, Any]:
    return {"version": 1, "stage1": train_stage1(records), "stage2": stage2_prior()}


def write_prior(prior: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(prior, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8"
    )
