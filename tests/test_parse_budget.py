"""tree-sitter never costs a review more than its budget on hostile text.

Runs of unterminated strings (``"a"a"a...``, backticks in Ruby) cost tree-sitter's error
recovery ~20-45 us a byte, 20-40 times real code: a 1 MB file held a review (or the
editor's diagnostics) for tens of seconds. ``bench/parse_budget.py`` prints the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rawlsp import RawClient
from support import GitRepo
from tactful.analyzers.languages import (
    BOUNDED_FROM_BYTES,
    ParseTooSlow,
    bounded_parse,
    parse_cached,
)

# Unbounded, each takes 3-4 s of CPU to parse here (budget: 0.65 s).
HOSTILE = {"ruby": "`" * 200_000, "csharp": '"a' * 100_000}
VALID = {"ruby": b"x = 1\n", "csharp": b"class A {}\n"}
REAL_RUBY = "def total(items)\n  items.sum { |i| i.price * i.count }\nend\n\n"


@pytest.mark.parametrize("language", sorted(HOSTILE))
def test_a_hostile_text_is_stopped_and_the_parser_then_parses_normally(language: str) -> None:
    with pytest.raises(ParseTooSlow, match="took over"):
        bounded_parse(language, HOSTILE[language].encode())
    # A stopped parser resumes the stopped parse on its next call unless it is reset.
    tree = bounded_parse(language, VALID[language])
    assert not tree.root_node.has_error and tree.root_node.end_byte == len(VALID[language])


def test_a_stopped_base_is_remembered_and_real_code_of_any_size_is_parsed() -> None:
    data = HOSTILE["ruby"].encode()
    for _ in range(2):  # the second answer comes from the cache: no second budget spent
        with pytest.raises(ParseTooSlow):
            parse_cached("ruby", data)
    real = (REAL_RUBY * 10_000).encode()  # 600 KB of ordinary Ruby
    assert len(real) > 4 * BOUNDED_FROM_BYTES
    assert not bounded_parse("ruby", real).root_node.has_error


def test_the_cli_skips_a_hostile_file_with_a_reason_and_reviews_the_rest(
    cli, git_repo: GitRepo
) -> None:
    git_repo.write("ok.py", "def f():\n    return 1\n")
    git_repo.commit("base")
    git_repo.write("ok.py", "def f():\n    breakpoint()\n    return 1\n")
    lines = "\n".join(('"a' * 80)[:150] for _ in range(2_000))  # short lines: not "minified"
    git_repo.write("h.cs", f"class A {{}}\n{lines}\n")
    result = cli("review", "--format", "json", "--all", "--no-llm", cwd=git_repo.root)
    assert result.returncode == 0, result.stderr
    data = result.json()
    (skipped,) = data["coverage"]["skipped"]
    assert skipped["path"] == "h.cs" and skipped["reason"] == "parse-budget"
    assert "of CPU" in skipped["detail"]
    assert [f["path"] for f in data["findings"]] == ["ok.py"]
    assert "Traceback" not in result.stderr


def test_the_editor_answers_and_says_why_for_hostile_and_minified_documents(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("h.rb", "x = 1\n")
    git_repo.write("ok.py", "x = 1\n")
    git_repo.commit("base")
    client = RawClient(tmp_path, cwd=git_repo.root)
    try:
        client.send({"id": 1, "method": "initialize", "params": {
            "capabilities": {}, "rootUri": git_repo.root.as_uri(),
            "initializationOptions": {"lsp": {"debounceMs": 0}}}})  # fmt: skip
        client.answer(1, timeout=60)
        client.send({"method": "initialized", "params": {}})
        hostile, ok = (git_repo.root / "h.rb").as_uri(), (git_repo.root / "ok.py").as_uri()
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": hostile, "languageId": "ruby", "version": 1, "text": "x = 1\n"}}})  # fmt: skip
        lines = "\n".join(["`" * 120] * 3_000)  # 360 KB of backticks in short lines
        end = {"line": 1, "character": 0}
        for version in (2, 3):  # a paste, then a keystroke after it
            text = lines if version == 2 else "y"
            start = end if version == 2 else {"line": 1, "character": 0}
            client.send({"method": "textDocument/didChange", "params": {
                "textDocument": {"uri": hostile, "version": version},
                "contentChanges": [{"range": {"start": start, "end": start}, "text": text}]}})  # fmt: skip
        client.notification(lambda n: n.get("method") == "textDocument/publishDiagnostics"
                            and n["params"]["uri"] == hostile and n["params"].get("version") == 3,
                            timeout=60)  # fmt: skip
        # A minified bundle is left out before parsing, in the editor as in the CLI.
        bundle = ";".join(f"console.log({n})" for n in range(2000))
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": (git_repo.root / "m.js").as_uri(), "languageId": "javascript", "version": 1,
            "text": bundle + "\n"}}})  # fmt: skip
        client.notification(lambda n: n.get("method") == "textDocument/publishDiagnostics"
                            and n["params"]["uri"].endswith("/m.js"), timeout=60)  # fmt: skip
        # The server is not wedged: another document is reviewed after it.
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": ok, "languageId": "python", "version": 1, "text": "x = 1\nbreakpoint()\n"}}})  # fmt: skip
        published = client.notification(
            lambda n: n.get("method") == "textDocument/publishDiagnostics"
            and n["params"]["uri"] == ok and n["params"]["diagnostics"], timeout=60)  # fmt: skip
        assert published["params"]["diagnostics"][0]["code"] == "py.debugger"
    finally:
        stderr = client.close()
    assert "Traceback" not in stderr
    said = [
        n["params"]["message"]
        for n in client.notifications
        if n.get("method") == "window/logMessage"
    ]
    assert any("h.rb: not reviewed: parse-budget" in m for m in said), said
    assert any("m.js: not reviewed: minified" in m for m in said), said


@pytest.mark.parametrize("language", ["python", "javascript", "c"])
def test_a_text_that_recovers_into_one_huge_error_node_is_refused(language: str) -> None:
    """400 lines of 100 brackets parse fast, into one ERROR node with 40,000 children that
    every query searches quadratically (11-20 s of review before)."""
    with pytest.raises(ParseTooSlow, match="syntax error spanning"):
        bounded_parse(language, "\n".join(["(" * 100] * 400).encode())
    broken = "def f(:\n    return 1\n" * 200  # ordinary broken code is still parsed
    assert bounded_parse(language, broken.encode()).root_node.has_error
