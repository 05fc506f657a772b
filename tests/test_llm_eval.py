"""``tactful eval comments`` and the prompt-token benchmark, CI-sized, against the scripted server."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fakeopenai import FakeOpenAI, Recorded, Reply  # noqa: E402
from tactful.server.llm.bleu import sentence_bleu  # noqa: E402

DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "codereviewer" / "msg-test-100.jsonl"
)
ROOT = Path(__file__).resolve().parent.parent
ADDED = re.compile(r"^\+ +\d+ \| (.*\S.*)$", re.MULTILINE)


def quote_first_added_line(request: Recorded) -> Reply:
    """A reply that comments on the first changed line of the prompt, as a model would."""
    match = ADDED.search(request.prompt)
    if match is None:
        return Reply.json({"findings": []})
    finding = {
        "category": "correctness",
        "confidence": 0.7,
        "existing_code": match.group(1).strip(),
        "message": "Dropped check: this change alters behaviour that no test covers.",
    }
    return Reply.json({"findings": [finding]})


@pytest.fixture
def records(tmp_path: Path) -> Path:
    if not DATA.is_file():
        pytest.skip(f"{DATA} not available")
    path = tmp_path / "five.jsonl"
    path.write_text("".join(DATA.read_text("utf-8").splitlines(True)[:5]), "utf-8")
    return path


def test_eval_comments_against_scripted_server(cli, records: Path) -> None:
    with FakeOpenAI(default=quote_first_added_line) as server:
        result = cli(
            "eval",
            "comments",
            "--data",
            str(records),
            "--base-url",
            server.base_url,
            "--model",
            "fake",
            "--format",
            "json",
        )
    assert result.returncode == 0, result.stderr
    report = result.json()
    assert report["records"] == 5 and report["llm"] == "on"
    assert report["share_with_finding"] > 0.5
    assert report["findings_surviving"] >= 3
    assert report["tokens_per_record"] > 0 and report["latency_mean_s"] > 0
    assert report["schema_valid_replies"] == report["replies"] > 0
    assert all(0 <= row["bleu"] <= 100 for row in report["rows"])


def test_eval_comments_text_without_endpoint(cli, records: Path) -> None:
    result = cli("eval", "comments", "--data", str(records))
    assert result.returncode == 0, result.stderr
    assert "LLM reviewer off: no endpoint configured" in result.stdout
    assert "records:                  5" in result.stdout


def test_eval_comments_missing_file(cli, tmp_path: Path) -> None:
    result = cli("eval", "comments", "--data", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "no such file" in result.stderr


def test_prompt_token_bench_against_scripted_server(records: Path) -> None:
    with FakeOpenAI() as server:
        proc = subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "prompt_tokens.py"),
                "--data",
                str(records),
                "--base-url",
                server.base_url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 0, proc.stderr
    assert "whole-file prompt" in proc.stdout and "server usage from" in proc.stdout
    assert len(server.requests) >= 10


@pytest.mark.parametrize(
    ("hypothesis", "reference", "low", "high"),
    [
        ("please add a test for this", "please add a test for this", 99.9, 100.0),
        ("completely unrelated words", "please add a test", 0.0, 0.001),
        ("add a test here", "please add a test for this change", 5.0, 60.0),
        ("", "anything", 0.0, 0.0),
    ],
)
def test_sentence_bleu(hypothesis: str, reference: str, low: float, high: float) -> None:
    assert low <= sentence_bleu(hypothesis, reference) <= high
