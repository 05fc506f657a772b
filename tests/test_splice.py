"""Spliced tags of an edited buffer equal a full extraction of the new text, or are None."""

from __future__ import annotations

import json
import random
import typing
from pathlib import Path

import pytest
import tree_sitter as ts
from tactful.analyzers.callgraph.splice import splice_tags
from tactful.analyzers.callgraph.tags import FileTags, extract_tags
from tactful.analyzers.diff import parse_hunk
from tactful.analyzers.languages import detect_language, normalize_language, parse, parse_edited
from tactful.analyzers.patch import apply_file_change

CODEREVIEWER = Path(__file__).resolve().parents[2] / "shared" / "data" / "codereviewer"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "callgraph"
COMMENT = {"python": "#", "ruby": "#"}


def _check(language: str, old: FileTags, old_text: str, new_text: str, old_tree: ts.Tree) -> bool:
    """Splice; a result must equal the full extraction. Whether it spliced.

    The new tree is parsed incrementally from the old one, as the LSP server does.
    """
    tree = parse_edited(language, old_tree, old_text.encode("utf-8"), new_text.encode("utf-8"))
    spliced = splice_tags(old, old_text, new_text, tree)
    if spliced is None:
        return False
    full = extract_tags(language, old.path, new_text, tree)
    assert spliced.definitions == full.definitions
    assert spliced.references == full.references
    assert (spliced.imports, spliced.package, spliced.error_count) == (
        full.imports,
        full.package,
        full.error_count,
    )
    assert spliced == full
    return True


def _body_lines(tags: FileTags) -> list[int]:
    """0-based rows strictly inside callable definitions (neither first nor last line)."""
    rows = {
        row for d in tags.definitions if d.callable for row in range(d.start_line, d.end_line - 1)
    }
    return sorted(rows)


def _one_line_edits(language: str, text: str, tags: FileTags, count: int, seed: int) -> list[str]:
    """Insert, edit and delete single lines inside function bodies."""
    lines = text.split("\n")
    rows = _body_lines(tags)
    rnd = random.Random(seed)
    edits = []
    for i in range(min(count, len(rows))):
        row = rnd.choice(rows)
        line = lines[row]
        changed = list(lines)
        if i % 3 == 0:
            indent = line[: len(line) - len(line.lstrip())]
            changed.insert(
                row, indent + ("probe(1, 2)" if language in ("python", "ruby") else "probe(1, 2);")
            )
        elif i % 3 == 1:
            changed[row] = line + "  " + COMMENT.get(language, "//") + " edited"
        else:
            del changed[row]
        edits.append("\n".join(changed))
    return edits


def _real_files() -> list[Path]:
    files = [p for p in sorted(FIXTURES.rglob("*")) if p.is_file() and detect_language(str(p))]
    return [*files, Path(typing.__file__)]


@pytest.mark.parametrize("path", _real_files(), ids=lambda p: p.name)
def test_one_line_body_edits_splice_exactly(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    language = detect_language(str(path), text)
    assert language is not None
    tree = parse(language, text.encode("utf-8"))
    old = extract_tags(language, str(path), text, tree)
    edits = _one_line_edits(language, text, old, 30 if len(text) > 50_000 else 15, seed=len(text))
    spliced = sum(_check(language, old, text, new, tree) for new in edits)
    assert spliced >= 0.7 * len(edits), f"{spliced}/{len(edits)} one-line body edits spliced"


def test_splice_covers_five_languages() -> None:
    languages = {detect_language(str(p)) for p in _real_files()}
    assert len(languages) >= 5


def _codereviewer_records() -> list[dict[str, str]]:
    if not CODEREVIEWER.is_dir():
        return []
    return [
        json.loads(line)
        for f in sorted(CODEREVIEWER.glob("*.jsonl"))
        for line in f.open(encoding="utf-8")
    ]


@pytest.mark.skipif(not CODEREVIEWER.is_dir(), reason="CodeReviewer sample data not present")
def test_codereviewer_hunks_and_body_edits_splice_exactly() -> None:
    records = _codereviewer_records()
    assert len(records) == 200
    hunks = body_edits = body_spliced = 0
    for index, record in enumerate(records):
        language = normalize_language(record["lang"])
        if language is None or not record["oldf"]:
            continue
        old_text = record["oldf"]
        path = f"record{index}"
        tree = parse(language, old_text.encode("utf-8"))
        old = extract_tags(language, path, old_text, tree)
        new_text = apply_file_change(old_text, parse_hunk(record["patch"], path), strict=False)
        hunks += _check(language, old, old_text, new_text, tree)
        for new in _one_line_edits(language, old_text, old, 1, seed=index):
            body_edits += 1
            body_spliced += _check(language, old, old_text, new, tree)
    assert hunks > 0
    assert body_spliced >= 0.7 * body_edits, (
        f"{body_spliced}/{body_edits} one-line body edits spliced"
    )


def test_index_update_splices_from_the_old_side(git_repo, tmp_path: Path) -> None:
    from tactful.server.index import RepoIndex
    from tactful.server.settings import Settings

    old_text = "class Shape:\n    def area(self, w, h):\n        x = w * h\n        return x\n\n\ndef use():\n    return Shape().area(1, 2)\n"
    git_repo.write("shape.py", old_text)
    git_repo.commit("base")
    index = RepoIndex(git_repo.root, Settings(cache_dir=str(tmp_path / "cache")), workers=1)
    index.build()
    new_text = old_text.replace("        x = w * h\n", "        x = w * h\n        log(x, w)\n")
    new_data = new_text.encode("utf-8")
    tree = parse_edited(
        "python", parse("python", old_text.encode("utf-8")), old_text.encode("utf-8"), new_data
    )
    assert (
        splice_tags(extract_tags("python", "shape.py", old_text), old_text, new_text, tree)
        is not None
    )
    tags = index.update_file("shape.py", new_text, tree, old_text=old_text)
    assert tags == extract_tags("python", "shape.py", new_text)
    assert [r.caller for r in tags.references if r.name == "log"] == ["Shape.area"]
