"""Bounded fuzzing (hypothesis): the diff parser, change-unit mapping and the CLI on hostile input.

Every generated input must give a result or one clear error: never another exception, never a
hang, never invalid output. The budget is small for everyday CI; set TACTFUL_FUZZ_EXAMPLES
(e.g. 5000) for a longer campaign. Seeds are real patches from ../shared/data/codereviewer.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import run_cli
from tactful.analyzers.diff import DiffError, parse_diff
from tactful.analyzers.languages import SPECS
from tactful.analyzers.syntax import change_units

ROOT = Path(__file__).resolve().parents[1]
# The project's shared data sits beside the checkout (../shared) or inside it (shared/).
SHARED = (
    next(
        (
            p
            for p in (ROOT.parent / "shared", ROOT / "shared")
            if (p / "data" / "codereviewer").is_dir()
        ),
        ROOT.parent / "shared",
    )
    / "data"
    / "codereviewer"
)
SAMPLES = ROOT / "tests" / "data" / "syntax"
EXAMPLES = int(os.environ.get("TACTFUL_FUZZ_EXAMPLES", "150"))
BUDGET = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


def _seed_patches() -> list[str]:
    patches = []
    for name in ("msg-test-100.jsonl", "quality-estimation-100.jsonl"):
        path = SHARED / name
        if not path.exists():
            continue
        for line in path.read_text("utf-8").splitlines()[:60]:
            patch = json.loads(line).get("patch")
            if isinstance(patch, str) and patch.startswith("@@"):
                patches.append(f"--- a/src/file.go\n+++ b/src/file.go\n{patch}\n")
    return patches or ["--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"]


SEEDS = _seed_patches()

# One mutation step over the lines of a patch.
_noise = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10_000)),
    st.tuples(st.just("duplicate"), st.integers(0, 10_000)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), _noise),
    st.tuples(
        st.just("prefix"),
        st.integers(0, 10_000),
        st.sampled_from(["+", "-", " ", "\\", "@@ ", "diff --git a/a b/b", ""]),
    ),
    st.tuples(
        st.just("header"), st.integers(0, 10_000), st.integers(0, 10**12), st.integers(0, 10**6)
    ),
    st.tuples(st.just("truncate"), st.integers(0, 10_000)),
)


def _mutate(patch: str, steps: list[tuple]) -> str:
    lines = patch.split("\n")
    for step in steps:
        at = step[1] % max(len(lines), 1)
        kind = step[0]
        if kind == "delete" and lines:
            del lines[at]
        elif kind == "duplicate" and lines:
            lines.insert(at, lines[at])
        elif kind == "insert":
            lines.insert(at, step[2])
        elif kind == "prefix" and lines:
            lines[at] = step[2] + lines[at][1:]
        elif kind == "header":
            lines.insert(at, f"@@ -{step[2]},{step[3]} +{step[2]},{step[3]} @@")
        elif kind == "truncate":
            lines = lines[: at + 1]
    return "\n".join(lines)


@BUDGET
@given(seed=st.sampled_from(SEEDS), steps=st.lists(_mutation, max_size=6))
def test_diff_parser_gives_a_change_set_or_one_clear_error(seed: str, steps: list[tuple]) -> None:
    text = _mutate(seed, steps)
    try:
        change_set = parse_diff(text)
    except DiffError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 2000
        return
    for file in change_set.files:
        for hunk in file.hunks:
            assert all(line >= 1 for line in hunk.added) and all(line >= 1 for line in hunk.removed)


def _samples() -> list[tuple[str, str]]:
    return [
        (lang, (SAMPLES / f"{lang}.new").read_text("utf-8"))
        for lang in sorted(SPECS)
        if (SAMPLES / f"{lang}.new").exists()
    ]


@BUDGET
@given(
    sample=st.sampled_from(_samples()),
    cuts=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 40), _noise), min_size=1, max_size=4
    ),
)
def test_change_units_survive_mutated_source_in_every_language(
    sample: tuple[str, str], cuts: list
) -> None:
    language, old = sample
    new = old
    for at, length, insert in cuts:  # delete a stretch and insert noise, as a half-typed edit does
        at %= max(len(new), 1)
        new = new[:at] + insert + new[at + length :]
    diff = "".join(
        difflib.unified_diff(old.splitlines(True), new.splitlines(True), "a/f", "b/f", n=3)
    )
    if not diff:
        return
    if not diff.endswith("\n"):
        diff += "\n"
    try:
        file = parse_diff(diff).files[0]
    except DiffError:
        return  # difflib output without trailing newlines; the parser said so clearly
    mapping = change_units(file, old, new, language)
    new_lines = new.count("\n") + 1
    for unit in mapping.units:
        assert all(1 <= line <= new_lines for line in unit.changed_new_lines)
        if unit.new_span is not None:
            assert 1 <= unit.new_span.start_line <= unit.new_span.end_line <= new_lines + 1


@pytest.mark.parametrize("index", range(8))
def test_cli_on_mutated_patches_exits_0_with_valid_json_or_2_with_one_line(
    index: int, tmp_path: Path
) -> None:
    import random

    rng = random.Random(index)
    seed = SEEDS[index % len(SEEDS)]
    steps = [("header", rng.randrange(50), rng.choice([1, 10**9]), rng.randrange(5)),
             ("insert", rng.randrange(50), "\udce9".encode("utf-8", "surrogatepass").decode("utf-8", "replace")),
             ("delete", rng.randrange(50))][: 1 + index % 3]  # fmt: skip
    patch = _mutate(seed, steps)
    result = run_cli("review", "--patch", "-", "--all", "--no-llm", "--format", "json", cwd=tmp_path, stdin=patch,
                     env={"TACTFUL_CACHE_DIR": str(tmp_path / "c"), "TACTFUL_DATA_DIR": str(tmp_path / "d")})  # fmt: skip
    assert result.returncode in (0, 2), result.stderr
    if result.returncode == 0:
        json.loads(result.stdout)
    else:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
