"""DPO export: each pair carries the context snapshot the gate stored when it showed the suggestions."""

from __future__ import annotations

import io
import json
from pathlib import Path

from tactful.analyzers.model import ChangeUnit, Finding, Severity, Span
from tactful.server.changes import from_patch
from tactful.server.feedback import FeedbackEvent, FeedbackSink
from tactful.server.feedback.export import export_dpo
from tactful.server.gate import Gate, gate_stage
from tactful.server.gate.snapshot import MAX_TEXT
from tactful.server.pipeline import FileReview, ReviewResult
from tactful.server.settings import GateSettings, LlmSettings, Settings

SHOW_ALL = GateSettings(target_precision=0.0, exploration=0.0, llm_min_strength=0.0)


def _unit(body: str) -> ChangeUnit:
    return ChangeUnit(path="src/app.py", language="python", kind="function", name="load",
                      old_span=Span.lines(1, 2), new_span=Span.lines(1, 3), old_source="def load(p):\n    return open(p)\n",
                      new_source=body, changed_new_lines=(2, 3), changed_old_lines=(2,))  # fmt: skip


def _finding(rule: str, code: str, source: str = "llm") -> Finding:
    return Finding(path="src/app.py", span=Span(2, 4, 2, 20), severity=Severity.WARNING, rule=rule,
                   category="correctness", source=source, message=f"{rule}: the file is never closed",
                   unit="load", code=code)  # fmt: skip


def _result(unit: ChangeUnit, findings: list[Finding]) -> ReviewResult:
    result = ReviewResult(findings=list(findings))
    result.files.append(FileReview(change=None, language="python", old_text=None, new_text=None,  # type: ignore[arg-type]
                                   units=(unit,), syntax=True))  # fmt: skip
    return result


def test_pairs_carry_code_diff_model_and_prompt_version_and_say_what_was_dropped(
    tmp_path: Path,
) -> None:
    sink = FeedbackSink(tmp_path / "f.db", user="dev", client="cli")
    gate = Gate.open(SHOW_ALL, sink.store, user=sink.user)
    body = "def load(p):\n    f = open(p)\n    return f.read()\n"
    good, nit = _finding("llm.correctness", "f = open(p)"), _finding("llm.style", "return f.read()")
    result = _result(_unit(body), [good, nit])
    settings = Settings(gate=SHOW_ALL, llm=LlmSettings(model="qwen-test"))
    gate_stage(gate, sink, "cli")(result, from_patch("", "no change"), settings)
    sink.record("accepted", good)
    sink.record("rejected", nit, reason="nit")
    # Two verdicts logged with no gate decision (an older log): a pair, dropped for its missing context.
    old_a, old_b = _finding("llm.correctness", "x = 1"), _finding("llm.style", "y = 2")
    assert sink.store is not None
    sink.store.record_many(
        [
            FeedbackEvent.from_finding("accepted", old_a),
            FeedbackEvent.from_finding("rejected", old_b),
        ]
    )
    out = io.StringIO()
    done = export_dpo(sink.store, out)
    sink.close()
    assert (done.pairs, done.dropped_pairs) == (1, 1)
    [pair] = [json.loads(line) for line in out.getvalue().splitlines()]
    context = pair["context"]
    assert context["new"] == body and context["old"].startswith("def load(p):\n    return open(p)")
    assert "+    f = open(p)" in context["diff"] and "-    return open(p)" in context["diff"]
    assert context["model"] == "qwen-test" and context["prompt_version"] == "review.v2"
    assert (
        context["path"] == "src/app.py" and context["unit"] == "load" and context["truncated"] == []
    )
    assert "+    f = open(p)" in pair["prompt"] and pair["prompt"].startswith(
        "Review this change in src/app.py (load)"
    )
    assert pair["chosen"].startswith("llm.correctness") and pair["rejected"].startswith("llm.style")


def test_the_snapshot_is_bounded_and_stored_once_per_content(tmp_path: Path) -> None:
    sink = FeedbackSink(tmp_path / "f.db", user="dev", client="cli")
    gate = Gate.open(SHOW_ALL, sink.store, user=sink.user)
    huge = "def load(p):\n" + "".join(f"    x{n} = {n}\n" for n in range(3000))
    findings = [_finding("llm.correctness", f"x{n} = {n}") for n in range(5)]
    gate_stage(gate, sink, "cli")(
        _result(_unit(huge), findings), from_patch("", "none"), Settings(gate=SHOW_ALL)
    )
    assert sink.store is not None
    rows = sink.store._db.execute("SELECT prompt, code FROM snapshots").fetchall()
    assert len(rows) == 1  # five findings in one unit: one snapshot
    code = json.loads(rows[0][1])
    assert len(code["new"]) == MAX_TEXT and len(code["diff"]) == MAX_TEXT
    assert set(json.loads(rows[0][0])["truncated"]) == {"new", "diff"}
    shown = [e for e in sink.store.events() if e.kind == "shown"]
    assert len(shown) == 5 and {e.snapshot_id for e in shown} == {
        sink.store.get_snapshot and shown[0].snapshot_id
    }
    sink.close()


def test_no_credential_in_the_unit_reaches_the_log_or_the_export(tmp_path: Path) -> None:
    """The snapshot is redacted as a prompt is: old side (a rotated key) and new side alike."""
    sink = FeedbackSink(tmp_path / "f.db", user="dev", client="cli")
    gate = Gate.open(SHOW_ALL, sink.store, user=sink.user)
    old_key, new_key = "AKIAIOSFODNN7OLDKEY1", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
    unit = ChangeUnit(path="src/app.py", language="python", kind="function", name="load",
                      old_span=Span.lines(1, 2), new_span=Span.lines(1, 3),
                      old_source=f'def load(p):\n    key = "{old_key}"\n',
                      new_source=f'def load(p):\n    aws_secret_access_key = {new_key}\n    return open(p)\n',
                      changed_new_lines=(2, 3), changed_old_lines=(2,))  # fmt: skip
    good, nit = _finding("llm.correctness", "return open(p)"), _finding("llm.style", "def load")
    gate_stage(gate, sink, "cli")(
        _result(unit, [good, nit]), from_patch("", "none"), Settings(gate=SHOW_ALL)
    )
    sink.record("accepted", good)
    sink.record("rejected", nit, reason="nit")
    assert sink.store is not None
    out = io.StringIO()
    assert export_dpo(sink.store, out).pairs == 1
    stored = " ".join(
        " ".join(row) for row in sink.store._db.execute("SELECT prompt, code FROM snapshots")
    )
    sink.close()
    for secret in (old_key, new_key):
        assert secret not in out.getvalue() and secret not in stored
    assert "return open(p)" in out.getvalue()  # the code itself is kept
