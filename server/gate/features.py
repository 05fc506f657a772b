"""Features of change units and suggestions: diff shape, paths, hashed text, history.

A feature vector is a short list of ``(index, value)`` pairs in a hashed space (the
hashing trick): names such as ``rule=py.debug-print`` or ``+tok:except`` hash with CRC-32,
which is stable across processes, unlike Python's ``hash``.
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from dataclasses import dataclass

from tactful.analyzers.model import ChangeUnit

Vector = list[tuple[int, float]]

TOKEN = re.compile(
    r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+|==|!=|<=|>=|&&|\|\||->|=>|[{}()\[\];,.=<>+\-*/%!&|^~?:@#]"
)
WORD = re.compile(r"[a-z][a-z0-9]+")
TEST_PATH = re.compile(
    r"(^|/)(tests?|spec|specs|__tests__|testing)/|(^|/)test_[^/]*$|_test\.[a-z]+$|\.(test|spec)\.[a-z]+$|Tests?\.[a-z]+$"
)
GENERATED_PATH = re.compile(
    r"(\.min\.(js|css)|_pb2\.py|\.pb\.go|\.g\.cs|\.designer\.cs|-lock\.json|\.lock|(^|/)generated/)$|(^|/)generated/"
)
DOC_PATH = re.compile(r"\.(md|rst|txt|adoc)$|(^|/)docs?/")
LANGUAGE_ALIASES = {".cs": "c_sharp", "cs": "c_sharp", "csharp": "c_sharp", "c#": "c_sharp", "py": "python",
                    "js": "javascript", "ts": "typescript", "rb": "ruby", "golang": "go"}  # fmt: skip


@functools.lru_cache(maxsize=65_536)
def feature_index(name: str, bits: int) -> int:
    return zlib.crc32(name.encode("utf-8")) & ((1 << bits) - 1)


def normalise_language(language: str | None) -> str:
    lang = (language or "").lower()
    return LANGUAGE_ALIASES.get(lang, lang)


@dataclass(frozen=True, slots=True)
class DiffShape:
    """What stage 1 sees of a change: its changed lines, language and path."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    context: int
    language: str
    path: str = ""
    new_file: bool = False


def shape_from_patch(patch: str, language: str | None, path: str = "") -> DiffShape:
    """The shape of one unified-diff hunk (a CodeReviewer ``patch``)."""
    added: list[str] = []
    removed: list[str] = []
    context = 0
    lines = patch.splitlines()
    new_file = bool(lines) and lines[0].startswith("@@ -0,0 ")
    for line in lines:
        if line.startswith("@@"):
            continue
        if line.startswith("+"):
            added.append(line[1:])
        elif line.startswith("-"):
            removed.append(line[1:])
        elif not line.startswith("\\"):
            context += 1
    return DiffShape(
        tuple(added), tuple(removed), context, normalise_language(language), path, new_file
    )


def shape_from_unit(unit: ChangeUnit, language: str | None = None) -> DiffShape:
    """The shape of a change unit (its added and removed lines)."""
    new_lines = unit.new_source.splitlines()
    old_lines = unit.old_source.splitlines()
    new_first = unit.new_span.start_line if unit.new_span else 1
    old_first = unit.old_span.start_line if unit.old_span else 1
    added = tuple(
        new_lines[n - new_first]
        for n in unit.changed_new_lines
        if 0 <= n - new_first < len(new_lines)
    )
    removed = tuple(
        old_lines[n - old_first]
        for n in unit.changed_old_lines
        if 0 <= n - old_first < len(old_lines)
    )
    context = max(0, len(new_lines) - len(added))
    new_file = unit.old_span is None and not unit.old_source
    return DiffShape(
        added, removed, context, normalise_language(language or unit.language), unit.path, new_file
    )


def path_flags(path: str) -> list[str]:
    flags = []
    if TEST_PATH.search(path):
        flags.append("path:test")
    if GENERATED_PATH.search(path):
        flags.append("path:generated")
    if DOC_PATH.search(path):
        flags.append("path:doc")
    return flags


def _tokens(lines: tuple[str, ...], limit: int = 400) -> set[str]:
    found: set[str] = set()
    for line in lines:
        for tok in TOKEN.findall(line):
            found.add(tok if len(tok) < 24 else tok[:24])
            if len(found) >= limit:
                return found
    return found


def _signals(lines: tuple[str, ...]) -> dict[str, float]:
    """Counts of things reviewers tend to remark on, as bounded values."""
    text = "\n".join(lines)
    long_lines = sum(1 for line in lines if len(line) > 100)
    comments = sum(1 for line in lines if line.strip().startswith(("//", "#", "/*", "*", "--")))
    blank = sum(1 for line in lines if not line.strip())
    return {
        "sig:todo": float("TODO" in text or "FIXME" in text),
        "sig:long_lines": min(long_lines, 5) / 5,
        "sig:comment_share": comments / max(1, len(lines)),
        "sig:blank_share": blank / max(1, len(lines)),
        "sig:strings": min(text.count('"') // 2, 10) / 10,
        "sig:nullish": float(bool(re.search(r"\b(null|nil|None|nullptr|undefined)\b", text))),
        "sig:errors": float(
            bool(re.search(r"\b(err|error|except|catch|throw|raise|panic)\b", text, re.I))
        ),
        "sig:logging": float(
            bool(re.search(r"\b(log|logger|print|printf|console|fmt\.Print)", text))
        ),
    }


def unit_features(shape: DiffShape, bits: int) -> Vector:
    """Stage-1 features of a change (hashed)."""
    n_add, n_rem = len(shape.added), len(shape.removed)
    named: dict[str, float] = {
        "bias": 1.0,
        "size:added": math.log1p(n_add) / 4,
        "size:removed": math.log1p(n_rem) / 4,
        "size:context": math.log1p(shape.context) / 4,
        "churn": (n_add - n_rem) / max(1, n_add + n_rem),
        "only_added": float(n_rem == 0),
        "only_removed": float(n_add == 0),
        f"lang={shape.language}": 1.0,
    }
    if shape.new_file:
        named["new_file"] = 1.0
    for flag in path_flags(shape.path):
        named[flag] = 1.0
    named.update(_signals(shape.added))
    added_toks, removed_toks = _tokens(shape.added), _tokens(shape.removed)
    # Tokens that appear or disappear, not ones merely moved: the edit's vocabulary.
    for prefix, toks in (("+", added_toks - removed_toks), ("-", removed_toks - added_toks)):
        if toks:
            weight = 1.0 / math.sqrt(len(toks))
            for tok in toks:
                named[f"{prefix}tok:{tok}"] = weight
    return [(feature_index(name, bits), value) for name, value in named.items()]


def words(text: str, limit: int = 24) -> list[str]:
    return WORD.findall(text.lower())[:limit]
