"""Pure deletions reach the model, and a finding may quote a removed line.

A dropped check is often a change that only removes lines. Such a unit is sent to the
model (it used to be skipped), the prompt says where the lines were removed, and a
finding quoting them is anchored on the nearest surviving line of the new version; its
fix puts code back there. Real git repositories, the real pipeline and the real openai SDK
against the scripted OpenAI-compatible server (tests/fakeopenai.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fakeopenai import FakeOpenAI, Reply  # noqa: E402
from tactful.analyzers.fixes import apply_edits  # noqa: E402
from tactful.server import changes  # noqa: E402
from tactful.server.llm.removed import removal_anchors  # noqa: E402
from tactful.server.session import review_once  # noqa: E402
from tactful.server.settings import GateSettings, LlmSettings, Settings  # noqa: E402

OLD = (
    "def balance(rows):\n"
    "    total = 0\n"
    "    for row in rows:\n"
    "        total += row.amount\n"
    "        if row.refunded:\n"
    "            total -= row.refund\n"
    "    return total\n"
    "\n"
    "\n"
    "def other():\n"
    "    return 1\n"
)
NEW = OLD.replace("        if row.refunded:\n            total -= row.refund\n", "")


def _settings(server: FakeOpenAI, tmp_path: Path, version: str = "review.v1") -> Settings:
    llm = LlmSettings(
        base_url=server.base_url, api_key="k", model="fake", max_retries=0, prompt_version=version
    )
    return Settings(llm=llm, gate=GateSettings(enabled=False), cache_dir=str(tmp_path / "c"))


def _finding(existing: str, improved: str = "") -> dict[str, object]:
    return {
        "category": "correctness",
        "confidence": 0.9,
        "message": "Dropped behaviour: refunds are no longer subtracted from the total.",
        "existing_code": existing,
        "improved_code": improved,
    }


def _llm(result):
    return [f for f in result.findings if f.source == "llm"]


def test_pure_deletion_reaches_the_model_and_a_removed_line_is_anchored_after_it(
    git_repo, tmp_path: Path
) -> None:
    git_repo.write("loader.py", OLD)
    git_repo.commit("base")
    git_repo.write("loader.py", NEW)
    fix = "if row.refunded:\n    total -= row.refund"
    reply = Reply.json({"findings": [_finding("        if row.refunded:", fix)]})
    for version in ("review.v1", "review.v2"):
        with FakeOpenAI(default=reply) as server:
            result = review_once(
                changes.from_worktree(git_repo.root), _settings(server, tmp_path / version, version)
            )
            prompts = [r.prompt for r in server.requests]
        assert len(prompts) == 1, version  # the unit with no added line was sent
        assert "- 5 |         if row.refunded:" in prompts[0]
        assert "(old lines 5-6 removed here)" in prompts[0]
        (found,) = _llm(result)
        # Anchored on the line right after the removed check, where the check used to run.
        assert found.span.start_line == 5 and found.code == "return total"
        assert dict(result.coverage.counters)["llm.units.pure-deletion"] == 1
        assert dict(result.coverage.counters)["llm.anchored.removed-lines"] == 1
        assert found.fix is not None
        assert apply_edits(NEW, found.fix.edits) == OLD  # the fix puts the check back


def test_removed_line_of_a_unit_that_also_adds_lines_is_accepted(git_repo, tmp_path: Path) -> None:
    new = NEW.replace("    return total\n", "    return round(total, 2)\n")
    git_repo.write("loader.py", OLD)
    git_repo.commit("base")
    git_repo.write("loader.py", new)
    reply = Reply.json({"findings": [_finding("total -= row.refund")]})
    with FakeOpenAI(default=reply) as server:
        result = review_once(changes.from_worktree(git_repo.root), _settings(server, tmp_path))
    (found,) = _llm(result)
    # Nothing survived after the removed block (the return line changed): the line before.
    assert found.span.start_line == 4 and found.code == "total += row.amount"
    assert found.fix is None


def test_quote_of_an_unchanged_line_is_still_dropped(git_repo, tmp_path: Path) -> None:
    git_repo.write("loader.py", OLD)
    git_repo.commit("base")
    git_repo.write("loader.py", NEW)
    reply = Reply.json({"findings": [_finding("def balance(rows):")]})
    with FakeOpenAI(default=reply) as server:
        result = review_once(changes.from_worktree(git_repo.root), _settings(server, tmp_path))
    assert _llm(result) == []
    assert dict(result.coverage.counters)["llm.dropped.unchanged-line"] == 1


def test_removed_block_at_the_end_is_anchored_before_it_and_a_deleted_unit_is_not_sent(
    git_repo, tmp_path: Path
) -> None:
    old = "def save(rows, out):\n    out.write(rows)\n    out.flush()\n\n\ndef gone():\n    return 2\n"
    new = "def save(rows, out):\n    out.write(rows)\n"
    git_repo.write("saver.py", old)
    git_repo.commit("base")
    git_repo.write("saver.py", new)
    reply = Reply.json({"findings": [_finding("out.flush()", "out.flush()")]})  # restore it
    with FakeOpenAI(default=reply) as server:
        result = review_once(changes.from_worktree(git_repo.root), _settings(server, tmp_path))
        sent = len(server.requests)
    assert sent == 1  # `save` lost a line; `gone` was deleted and has nowhere to anchor
    (found,) = _llm(result)
    assert found.span.start_line == 2 and found.code == "out.write(rows)"
    assert found.fix is not None
    assert (
        apply_edits(new, found.fix.edits)
        == "def save(rows, out):\n    out.write(rows)\n    out.flush()\n"
    )


def test_removal_anchors_prefer_the_next_line_unless_it_only_closes_a_block(
    git_repo, tmp_path: Path
) -> None:
    old = "function f(x) {\n  g(x);\n  check(x);\n}\n"
    new = "function f(x) {\n  g(x);\n}\n"
    git_repo.write("f.js", old)
    git_repo.commit("base")
    git_repo.write("f.js", new)
    result = review_once(changes.from_worktree(git_repo.root), Settings(cache_dir=str(tmp_path)))
    unit = next(u for u in result.units if u.name == "f")
    (anchor,) = removal_anchors(unit).values()
    assert (anchor.line, anchor.after) == (2, False)  # not on the closing brace
