"""Stored call-graph edges against a fresh resolution on a large real repository; prints the figures.

    python bench/index_edges.py                      # Django 5.0.6 -> 5.0.7 (sdists from PyPI)
    python bench/index_edges.py --repo ~/src/django  # any git checkout (read only)

Indexes the repository the way ``tactful index`` does (build, resolve every call site, store
the edges), then opens two new indexes on it, applies the same edits to both as a review
loads a change (a new keyword parameter, a definition added under an existing name, a whole
file shifted down by two lines), drops the stored edges from one, and asks both for the
callers and callees of a random sample of definitions plus every definition of the edited
files. Printed: how many answers differ (must be 0), the CPU time of the queries and the
call sites resolved live with and without stored edges, and whether the resolved counts agree.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tactful.server.config import load_settings
from tactful.server.index import RepoIndex
from tactful.server.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from headless import build_repo  # noqa: E402 (a sibling bench script)

Edit = Callable[[str], str]


def edits_for(root: Path) -> dict[str, Edit]:
    """Three edits on the largest Python files outside the tests."""
    files = sorted(
        (p for p in root.rglob("*.py") if "tests" not in p.relative_to(root).parts),
        key=lambda p: (-p.stat().st_size, p),
    )
    first, second, third = (p.relative_to(root).as_posix() for p in files[:3])
    method = re.compile(r"^(    def \w+\(self)(\):|, )", re.M)
    return {
        first: lambda s: method.sub(r"\1, *, bench_flag=False\2", s, count=1),
        second: lambda s: s + "\n\ndef get(x):\n    return x\n",
        third: lambda s: "\n\n" + s,
    }


def open_index(root: Path, settings: Settings, edits: dict[str, Edit], edges: bool) -> RepoIndex:
    index = RepoIndex(root, settings)
    index.build()
    if not edges:
        index.graph.forget_edges()
    for path, edit in edits.items():
        index.update_file(path, edit((root / path).read_text("utf-8")))
    return index


def compare(root: Path, cache: Path, sample: int, seed: int) -> None:
    settings = dataclasses.replace(load_settings(root, None), cache_dir=str(cache))
    started = time.process_time()
    index = RepoIndex(root, settings)
    index.build()
    index.graph.resolved_counts()
    index.save_edges()
    print(
        f"tactful index (cold, stores the edges): CPU {time.process_time() - started:.2f} s in this process (parsing runs in worker processes)"
    )
    edits = edits_for(root)
    stored = open_index(root, settings, edits, edges=True)
    live = open_index(root, settings, edits, edges=False)
    print(f"edited: {', '.join(edits)}; stored edges kept: {stored.graph.has_edges}")
    defs = sorted({(d.path, d.qualified_name) for t in live.all_tags() for d in t.definitions})
    picked = random.Random(seed).sample(defs, min(sample, len(defs)))
    picked += [d for d in defs if d[0] in edits]
    answers, seconds = [], []
    for index in (stored, live):
        began = time.process_time()
        answers.append([(index.graph.callers(q, p), index.graph.callees(q, p)) for p, q in picked])
        seconds.append(time.process_time() - began)
    differ = [d for d, a, b in zip(picked, *answers, strict=True) if a != b]
    print(f"definitions asked: {len(picked)}, answers that differ: {len(differ)} {differ[:3]}")
    print(f"queries with stored edges: CPU {seconds[0]:.2f} s, {stored.graph.live_resolutions:,} "
          f"call sites resolved live; without: CPU {seconds[1]:.2f} s, "
          f"{live.graph.live_resolutions:,}")  # fmt: skip
    same = stored.graph.resolved_counts() == live.graph.resolved_counts()
    print(f"resolved counts agree: {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, help="a git checkout (default: Django from PyPI)")
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.repo
        if root is None:
            root = Path(tmp) / "repo"
            build_repo(root, "Django", "5.0.6", "5.0.7")
        compare(root.resolve(), Path(tmp) / "cache", args.sample, args.seed)


if __name__ == "__main__":
    main()
