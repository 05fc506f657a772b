"""The LLM reviewer end to end: the real pipeline and the real openai SDK against a scripted
OpenAI-compatible server on 127.0.0.1 (tests/fakeopenai.py)."""

from __future__ import annotations

import asyncio
import difflib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fakeopenai import FakeOpenAI, Reply  # noqa: E402
from tactful.analyzers.diff import parse_diff  # noqa: E402
from tactful.server.llm import OFF_NOTE, LlmReviewer, review_units_async  # noqa: E402
from tactful.server.pipeline import Change, ReviewResult, review  # noqa: E402
from tactful.server.session import review_once  # noqa: E402
from tactful.server.settings import LlmSettings, Settings  # noqa: E402

OLD = "def add(a, b):\n    return a + b\n\n\ndef other():\n    return 1\n"
NEW = "def add(a, b):\n    print(a)\n    total = a + b\n    return total\n\n\ndef other():\n    return 1\n"


class MemorySource:
    def __init__(self, old: str, new: str) -> None:
        self._old, self._new = old, new

    def old(self, path: str) -> bytes | None:
        return self._old.encode()

    def new(self, path: str) -> bytes | None:
        return self._new.encode()


def make_change(old: str = OLD, new: str = NEW, root: str | None = None) -> Change:
    patch = "".join(
        difflib.unified_diff(old.splitlines(True), new.splitlines(True), "a/m.py", "b/m.py")
    )
    return Change(parse_diff("diff --git a/m.py b/m.py\n" + patch), MemorySource(old, new), root)


def make_settings(server: FakeOpenAI | None, tmp_path: Path, **llm: object) -> Settings:
    values: dict[str, object] = {
        "api_key": "test-key",
        "model": "fake",
        "timeout_s": 5.0,
        "max_retries": 2,
        # Plumbing shared by both templates, on v1, whose messages need no question name
        # (review.v2's rule: tests/test_llm_claims.py).
        "prompt_version": "review.v1",
    }
    if server is not None:
        values["base_url"] = server.base_url
    values.update(llm)
    return Settings(llm=LlmSettings(**values), cache_dir=str(tmp_path / "cache"))  # type: ignore[arg-type]


def finding(
    existing: str, improved: str = "", category: str = "correctness", message: str = "Check this."
) -> dict:
    item = {"category": category, "confidence": 0.8, "message": message, "existing_code": existing}
    if improved:
        item["improved_code"] = improved
    return item


def run(
    server: FakeOpenAI | None, tmp_path: Path, change: Change | None = None, **llm: object
) -> ReviewResult:
    return review_once(change or make_change(), make_settings(server, tmp_path, **llm))


def llm_notes(result: ReviewResult) -> list[str]:
    return [n for n in result.coverage.notes if n.startswith("LLM reviewer")]


def assert_offline_kept(result: ReviewResult) -> None:
    assert any(f.rule == "py.debug-print" and f.source == "checks" for f in result.findings)


@pytest.fixture
def server():
    with FakeOpenAI() as fake:
        yield fake


def test_good_schema_reply_is_anchored_and_fixed(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(Reply.json({"findings": [finding("return total", "return int(total)")]}))
    result = run(server, tmp_path)
    assert_offline_kept(result)
    [llm] = [f for f in result.findings if f.source == "llm"]
    assert llm.rule == "llm.correctness" and llm.unit == "add" and llm.code == "return total"
    assert (llm.span.start_line, llm.span.start_col, llm.span.end_col) == (4, 4, 16)
    assert llm.fix is not None and llm.fix.edits[0].new_text == "return int(total)"
    assert llm_notes(result) == []
    counters = dict(result.coverage.counters)
    assert counters["llm.tokens.prompt"] > 0 and counters["llm.tokens.completion"] > 0
    assert counters["llm.replies.schema-valid"] == 1
    [request] = server.requests
    assert request.response_format == "json_schema"
    assert (
        "+ 3 |     total = a + b" in request.prompt and "- 2 |     return a + b" in request.prompt
    )
    assert request.headers["authorization"] == "Bearer test-key"


def test_duplicate_of_a_check_is_merged_into_it(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(
        Reply.json(
            {"findings": [finding("print(a)", category="debug", message="Remove the debug print.")]}
        )
    )
    result = run(server, tmp_path)
    assert [f.source for f in result.findings] == ["checks"]
    assert dict(result.coverage.counters)["llm.dropped.duplicate-of-check"] == 1


def test_malformed_json_is_reported_once(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(Reply.text("I think {findings: this is not json at all"))
    result = run(server, tmp_path)
    assert_offline_kept(result)
    assert [f for f in result.findings if f.source == "llm"] == []
    [note] = llm_notes(result)
    assert "unreadable reply for 1 unit(s)" in note and "m.py:add" in note
    assert dict(result.coverage.counters)["llm.parse.failed"] == 1


def test_prose_around_json_and_schema_rejected(server: FakeOpenAI, tmp_path: Path) -> None:
    body = '{"findings": [{"category": "bug", "confidence": 9, "message": "Overflow?", "existing_code": "total = a + b",}]}'
    server.script(
        Reply.text(
            f"Sure! Here is my review:\n```json\n{body}\n```\nHope this helps.", reject_schema=True
        )
    )
    result = run(server, tmp_path)
    assert_offline_kept(result)
    [llm] = [f for f in result.findings if f.source == "llm"]
    assert (
        llm.category == "correctness"
        and llm.confidence == pytest.approx(0.9)
        and llm.span.start_line == 3
    )
    counters = dict(result.coverage.counters)
    assert counters["llm.format.json_schema-rejected"] == 1
    assert sum(v for k, v in counters.items() if k.startswith("llm.parse.repaired")) == 1
    assert [r.response_format for r in server.requests] == ["json_schema", "json_object"]


def test_truncated_reply_is_repaired(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(
        Reply.text(
            '{"findings": [{"category": "style", "confidence": 0.4, "message": "Name it sum_", "existing_code": "total = a + b'
        )
    )
    result = run(server, tmp_path)
    assert [f.code for f in result.findings if f.source == "llm"] == ["total = a + b"]


def test_findings_on_unchanged_lines_are_dropped(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(Reply.json({"findings": [finding("def add(a, b):"), finding("return 1")]}))
    result = run(server, tmp_path)
    assert_offline_kept(result)
    assert [f for f in result.findings if f.source == "llm"] == []
    [note] = llm_notes(result)
    assert "dropped 2 finding(s)" in note and "unchanged-line" in note and "outside-unit" in note
    counters = dict(result.coverage.counters)
    assert counters["llm.dropped.unchanged-line"] == 1 and counters["llm.dropped.outside-unit"] == 1


def test_existing_code_not_in_file_is_dropped(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(Reply.json({"findings": [finding("return a - b"), finding("  ")]}))
    result = run(server, tmp_path)
    assert_offline_kept(result)
    assert [f for f in result.findings if f.source == "llm"] == []
    [note] = llm_notes(result)
    assert "not-in-file" in note and "no-existing-code" in note


def test_whitespace_mismatch_snaps_and_reindents(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(
        Reply.json({"findings": [finding("total =  a + b\nreturn total", "return a + b")]})
    )
    result = run(server, tmp_path)
    [llm] = [f for f in result.findings if f.source == "llm"]
    assert (llm.span.start_line, llm.span.start_col, llm.span.end_line) == (3, 4, 4)
    assert llm.fix is not None


def test_fix_that_does_not_parse_is_removed(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(Reply.json({"findings": [finding("total = a + b", "total = (a + b")]}))
    result = run(server, tmp_path)
    assert_offline_kept(result)
    [llm] = [f for f in result.findings if f.source == "llm"]
    assert llm.fix is None
    [note] = llm_notes(result)
    assert "removed the suggested fix of 1 finding(s)" in note and "syntax" in note
    assert dict(result.coverage.counters)["llm.fix-dropped.unparseable"] == 1


def test_invented_missing_symbol_is_dropped(server: FakeOpenAI, tmp_path: Path) -> None:
    message = "`other` is not defined anywhere."
    server.script(Reply.json({"findings": [finding("total = a + b", message=message)]}))
    result = run(server, tmp_path)
    assert [f for f in result.findings if f.source == "llm"] == []
    assert dict(result.coverage.counters)["llm.dropped.invented-missing-symbol"] == 1


def test_rate_limit_then_success(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(
        Reply.http(429, "slow down", headers={"retry-after": "0"}),
        Reply.json({"findings": [finding("return total")]}),
    )
    result = run(server, tmp_path)
    assert_offline_kept(result)
    assert [f.code for f in result.findings if f.source == "llm"] == ["return total"]
    assert dict(result.coverage.counters)["llm.retries"] == 1
    assert len(server.requests) == 2 and llm_notes(result) == []


def test_server_error_keeps_offline_findings(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(
        Reply.http(500, "boom", headers={"retry-after": "0"}),
        Reply.http(500, "boom", headers={"retry-after": "0"}),
    )
    result = run(server, tmp_path, max_retries=1)
    assert_offline_kept(result)
    [note] = llm_notes(result)
    assert (
        note.startswith("LLM reviewer: 1 of 1 unit(s) not reviewed: HTTP 500 from ")
        and "after 1 retry" in note
    )
    assert dict(result.coverage.counters)["llm.errors.http-500"] == 1


def test_timeout(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(Reply.slow(30))
    result = run(server, tmp_path, timeout_s=0.3, max_retries=0)
    assert_offline_kept(result)
    [note] = llm_notes(result)
    assert "within 0.3 s (timeout)" in note
    assert server.hangup_seen.wait(30)


async def test_slow_reply_cancelled_by_newer_review(server: FakeOpenAI, tmp_path: Path) -> None:
    settings = make_settings(server, tmp_path)
    files = review(make_change(), settings).files
    server.script(Reply.slow(30), Reply.json({"findings": [finding("return total")]}))
    reviewer = LlmReviewer(settings)
    loop = asyncio.get_running_loop()
    try:
        first = asyncio.create_task(review_units_async(files, settings, reviewer=reviewer))
        assert await loop.run_in_executor(None, server.wait_for_requests, 1)
        first.cancel()  # a newer review supersedes this one
        second = await review_units_async(files, settings, reviewer=reviewer)
        with pytest.raises(asyncio.CancelledError):
            await first
        assert [f.code for f in second.findings] == ["return total"]
        assert await loop.run_in_executor(None, server.hangup_seen.wait, 30)
        assert server.disconnected == [0]
    finally:
        await reviewer.aclose()


async def test_cancel_event_aborts_request(server: FakeOpenAI, tmp_path: Path) -> None:
    settings = make_settings(server, tmp_path)
    files = review(make_change(), settings).files
    server.script(Reply.slow(30))
    cancel = asyncio.Event()
    task = asyncio.create_task(review_units_async(files, settings, cancel_event=cancel))
    assert await asyncio.get_running_loop().run_in_executor(None, server.wait_for_requests, 1)
    cancel.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.get_running_loop().run_in_executor(None, server.hangup_seen.wait, 30)


def test_no_endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    settings = make_settings(None, tmp_path)
    offline = review(make_change(), settings)
    result = review_once(make_change(), settings)
    assert result.findings == offline.findings
    assert result.coverage.notes.count(OFF_NOTE) == 1


def test_cache_makes_rereview_free(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(Reply.json({"findings": [finding("return total")]}))
    first = run(server, tmp_path)
    second = run(server, tmp_path)
    assert len(server.requests) == 1
    assert [f.fingerprint for f in first.findings] == [f.fingerprint for f in second.findings]
    counters = dict(second.coverage.counters)
    assert counters["llm.cache.hits"] == 1 and "llm.tokens.prompt" not in counters


def test_token_budget_lists_skipped_units(server: FakeOpenAI, tmp_path: Path) -> None:
    result = run(server, tmp_path, token_budget=100)
    assert_offline_kept(result)
    assert server.requests == []
    [note] = llm_notes(result)
    assert note == "LLM reviewer: token budget 100 reached; not reviewed: m.py:add"


def test_secrets_are_redacted_from_prompts(server: FakeOpenAI, tmp_path: Path) -> None:
    secret = "sk-proj-" + "A1b2C3d4" * 5
    new = NEW.replace(
        "    total = a + b\n",
        f'    api_key = "{secret}"\n    total = a + b\n    db_password = "hunter2hunter2"\n',
    )
    run(server, tmp_path, make_change(OLD, new))
    [request] = server.requests
    assert secret not in request.prompt and "hunter2hunter2" not in request.prompt
    assert request.prompt.count("[REDACTED]") == 2


def test_instructions_and_context_reach_the_prompt(server: FakeOpenAI, tmp_path: Path) -> None:
    (tmp_path / ".tactful").mkdir()
    (tmp_path / ".tactful" / "instructions.md").write_text("Prefer explicit integer conversions.\n")
    settings = make_settings(server, tmp_path)
    files = review(make_change(root=str(tmp_path)), settings).files
    asyncio.run(
        review_units_async(
            files,
            settings,
            root=tmp_path,
            context_text=lambda unit: f"caller of {unit.name}: main()",
        )
    )
    [request] = server.requests
    assert (
        "Prefer explicit integer conversions." in request.prompt
        and "caller of add: main()" in request.prompt
    )


def test_critique_scores_become_features(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(
        Reply.json({"findings": [finding("return total")]}),
        Reply.json({"scores": [{"id": 0, "score": 7, "reason": "plausible"}]}),
    )
    settings = make_settings(server, tmp_path, critique=True)
    files = review(make_change(), settings).files
    outcome = asyncio.run(review_units_async(files, settings))
    [llm] = outcome.findings
    assert outcome.features[llm.fingerprint] == {"llm_confidence": 0.8, "critique_score": 7.0}
    assert outcome.critique_reasons[llm.fingerprint] == "plausible"
