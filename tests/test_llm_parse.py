"""Reading model replies, redacting prompts, and anchoring quotes: the pure parts of the LLM reviewer."""

from __future__ import annotations

import pytest
from tactful.analyzers.model import ChangeUnit, Span
from tactful.server.llm.parse import RawFinding, normalise_finding, parse_reply
from tactful.server.llm.validate import validate
from tactful.server.redact import redact

GOOD = (
    '{"findings": [{"category": "bug", "confidence": 0.9, "message": "m", "existing_code": "x"}]}'
)


@pytest.mark.parametrize(
    ("text", "repair", "count"),
    [
        pytest.param(GOOD, "", 1, id="clean"),
        pytest.param(f"Here you go:\n```json\n{GOOD}\n```", "fenced", 1, id="fenced"),
        pytest.param(f"Sure. {GOOD} Anything else?", "extracted", 1, id="prose"),
        pytest.param(GOOD.replace('"x"}', '"x",}'), "repaired", 1, id="trailing-comma"),
        pytest.param(GOOD[:-6], "repaired", 1, id="truncated"),
        pytest.param(
            "{'findings': [{'message': 'm', 'existing_code': 'x', 'confidence': None}]}",
            "repaired",
            1,
            id="python-literal",
        ),
        pytest.param('[{"message": "m", "existing_code": "x"}]', "bare-list", 1, id="bare-list"),
        pytest.param('{"findings": []}', "", 0, id="empty"),
    ],
)
def test_parse_reply_recovers(text: str, repair: str, count: int) -> None:
    parsed = parse_reply(text, "findings")
    assert parsed.error == "" and parsed.repair == repair and len(parsed.items) == count


@pytest.mark.parametrize("text", ["", "no json here", "{findings: [", '{"other": 1}', "42"])
def test_parse_reply_reports_unreadable(text: str) -> None:
    parsed = parse_reply(text, "findings")
    assert parsed.error and parsed.items == []


def test_normalise_finding() -> None:
    raw = normalise_finding(
        {"category": "Error_Handling", "confidence": 85, "message": " a\n b ", "existing_code": "x"}
    )
    assert raw == RawFinding("error-handling", 0.85, "a b", "x", "")
    assert normalise_finding({"category": "style"}) is None
    assert normalise_finding("text") is None


@pytest.mark.parametrize(
    "secret",
    [
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_" + "a1B2" * 9,
        "xoxb-1234567890-abcdefghij",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    ],
)
def test_redact_tokens(secret: str) -> None:
    text, count = redact(f"value = {secret!r}\n")
    assert secret not in text and count >= 1


def test_redact_assignments_and_urls_keeps_code() -> None:
    source = 'password = "s3cr3t-value"\nurl = "postgres://admin:hunter22@db/x"\nname = "alice"\ntoken = os.environ["TOKEN"]\n'
    text, count = redact(source)
    assert "s3cr3t-value" not in text and "hunter22" not in text and count == 2
    assert 'name = "alice"' in text and 'os.environ["TOKEN"]' in text


NEW = "def f(x):\n    y = x + 1\n    return y\n"
UNIT = ChangeUnit(
    "m.py", "python", "function", "f", None, Span(1, 0, 3, 12), "", NEW.rstrip("\n"), (2,), ()
)


@pytest.mark.parametrize(
    ("existing", "dropped", "line"),
    [
        ("y = x + 1", "", 2),
        ("+ 2 |     y = x + 1", "", 2),
        ("y=x + 1", "not-in-file", 0),
        ("y  =  x + 1", "", 2),
        ("return y", "unchanged-line", 0),
        ("", "no-existing-code", 0),
    ],
)
def test_anchor(existing: str, dropped: str, line: int) -> None:
    verdict = validate(RawFinding("correctness", 0.5, "m", existing), UNIT, NEW, "python")
    assert verdict.dropped == dropped
    if line:
        assert verdict.finding is not None and verdict.finding.span.start_line == line


@pytest.mark.parametrize(
    ("existing", "improved", "expected"),
    [
        ("y = x + 1", "y = x + 2\nprint(y)", "y = x + 2\n    print(y)"),
        ("y  = x + 1", "y = x + 2\nassert y", "y = x + 2\n    assert y"),
        ("x + 1", "x + 2", "x + 2"),
    ],
)
def test_fix_is_reindented_to_the_file(existing: str, improved: str, expected: str) -> None:
    verdict = validate(RawFinding("correctness", 0.5, "m", existing, improved), UNIT, NEW, "python")
    assert verdict.finding is not None and verdict.finding.fix is not None
    assert verdict.finding.fix.edits[0].new_text == expected


def test_fix_with_an_unexpected_indent_is_removed() -> None:
    verdict = validate(
        RawFinding("correctness", 0.5, "m", "y = x + 1", "y = x + 2\n    extra = 1"),
        UNIT,
        NEW,
        "python",
    )
    assert (
        verdict.finding is not None
        and verdict.finding.fix is None
        and verdict.fix_dropped == "unparseable"
    )


def test_fix_with_tabs_in_a_space_indented_block_is_removed() -> None:
    verdict = validate(
        RawFinding("correctness", 0.5, "m", "y = x + 1", "y = x + 2\n\tprint(y)"),
        UNIT,
        NEW,
        "python",
    )
    assert (
        verdict.finding is not None
        and verdict.finding.fix is None
        and verdict.fix_dropped == "indentation"
    )
