"""The language server's logs never carry a credential from the code it reviews.

A real ``tactful lsp --log-file`` subprocess at debug verbosity (pygls then traces every
message, whole ``didOpen``/``didChange`` texts included) reviews a document holding one
planted credential of every kind the redactor knows, against a committed version holding
older values (so they are removed lines), with a recording LLM server configured; the log
file, stderr and the ``window/logMessage`` notifications are then searched for each one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI
from rawlsp import RawClient
from support import GitRepo
from tactful.server.redact import redact_log

PEM_BODY = (
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
)
# One of each kind the redactor knows: (line of code, the secret in it).
PLANTED = [
    ("aws_id = 'AKIAIOSFODNN7EXAMPLQ'", "AKIAIOSFODNN7EXAMPLQ"),
    ("gh = 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'", "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
    ("pat = 'github_pat_11AAAAAAA0123456789abcdefghijKLMNOP'", "github_pat_11AAAAAAA0123456789abcdefghijKLMNOP"),
    ("gl = 'glpat-Zx9Yw8Vu7Ts6Rq5Po4Nm'", "glpat-Zx9Yw8Vu7Ts6Rq5Po4Nm"),
    ("oa = 'sk-proj-Q1w2E3r4T5y6U7i8O9p0A1s2D3f4'", "sk-proj-Q1w2E3r4T5y6U7i8O9p0A1s2D3f4"),
    ("slack = 'xoxb-1234567890-abcdefghijkl'", "xoxb-1234567890-abcdefghijkl"),
    ("gkey = 'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'", "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"),
    ("stripe = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    ("jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N'",
     "dozjgNryP4J3jVmNHl0w5N"),
    ("h1 = {'Authorization': 'Bearer 9fK2mQ7xLp4vR8sT1wZ3'}", "9fK2mQ7xLp4vR8sT1wZ3"),
    ("h2 = {'Authorization': 'Basic YWRtaW46czNjcjN0UHc='}", "YWRtaW46czNjcjN0UHc="),
    ('api_key = "qz81Kd0aPl3mXv"', "qz81Kd0aPl3mXv"),
    ("# DB_PASSWORD=hunter2sekrit", "hunter2sekrit"),
    ("# aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzKEY"),
    ("token = os.environ.get('API_TOKEN') or 'tk_9f8s7d6f5g4h'", "tk_9f8s7d6f5g4h"),
    ("secret = os.getenv('APP_SECRET', 'Zq7xW3vB9nM2')", "Zq7xW3vB9nM2"),
    ('r = requests.get(url, auth=("admin", "Tr0ub4dor&3x"))', "Tr0ub4dor&3x"),
    ('cs = "Server=db;Database=app;User Id=sa;Password=Wq8!zr2Lk;"', "Wq8!zr2Lk"),
    ('dsn = "postgres://app:Qm4x9Lp2@db.internal:5432/app"', "Qm4x9Lp2"),
]  # fmt: skip
# Body lines as long as real ones (64): a diff that changes only the body shows no header.
PGP_BODY = "lQOYBF9xK2MBCADc7vR4qL8wN3zT6yH1pJ5mB0sX9gE2uA7kW4fQ8nV3rC6tZ1oY"
PGP = f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n{PGP_BODY}\n-----END PGP PRIVATE KEY BLOCK-----"
PEM = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(PEM_BODY) + "\n-----END RSA PRIVATE KEY-----"
EDITOR_KEY = "Kq3Lm8Np2Rs7TvWx"  # the user's key in the editor's settings: no known shape
LONE_BODY = "K7tQ2mX9vB4nR8sW1zL6pD3fH5jG0aY2cE7uI9oPqZ"  # a rotated key's body line, no header


def _old(secret: str) -> str:
    """The committed value of a planted secret: its last two characters changed."""
    return secret[:-2] + "QQ"


def _source(old: bool) -> str:
    lines = [line.replace(secret, _old(secret)) if old else line for line, secret in PLANTED]
    keys = {"PGP": PGP, "PEM": PEM, "BODY": LONE_BODY}
    text = "import os\n\nimport requests\n\nurl = 'https://x'\n" + "\n".join(lines) + "\n"
    for name, value in keys.items():
        for secret in _KEY_LINES:
            value = value.replace(secret, _old(secret)) if old else value
        text += f"{name} = '''\n{value}\n'''\n"
    return text


_KEY_LINES = (PGP_BODY, *PEM_BODY, LONE_BODY)


def _secrets() -> list[str]:
    new = [secret for _, secret in PLANTED] + list(_KEY_LINES)
    return new + [_old(s) for s in new]


def test_no_planted_credential_reaches_the_lsp_log_file_stderr_or_log_messages(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("config.py", _source(old=True))
    git_repo.commit("base")
    log = tmp_path / "lsp.log"
    uri = (git_repo.root / "config.py").as_uri()
    text = _source(old=False)
    with FakeOpenAI() as llm:
        env = {"OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": "sk-test-Uu8Ii9Oo0Pp1Aa2Ss3Dd4",
               "TACTFUL_MODEL": "fake"}  # fmt: skip
        client = RawClient(tmp_path, ("--log-file", str(log), "-vv"), cwd=git_repo.root, env=env)
        try:
            client.send({"id": 1, "method": "initialize", "params": {
                "capabilities": {}, "rootUri": git_repo.root.as_uri(),
                "initializationOptions": {"lsp": {"debounceMs": 0}, "llm": {"apiKey": EDITOR_KEY}}}})  # fmt: skip
            assert "result" in client.answer(1, timeout=60)
            client.send({"method": "initialized", "params": {}})
            client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n"}}})  # fmt: skip
            client.send({"method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}})  # fmt: skip
            client.send(
                {"method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}}
            )
            client.notification(lambda n: n.get("method") == "textDocument/publishDiagnostics"
                                and n["params"]["uri"] == uri and n["params"].get("version") == 2,
                                timeout=60)  # fmt: skip
            # pygls logs a message it cannot take whole, and answers each request in its log.
            client.send(
                {"jsonrpc": "1.0", "method": "textDocument/didOpen", "params": {"text": text}}
            )
            client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": "python", "version": "x", "text": text}}})  # fmt: skip
            whole = {"start": {"line": 0, "character": 0}, "end": {"line": 60, "character": 0}}
            client.send({"id": 3, "method": "textDocument/codeAction", "params": {
                "textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}}})  # fmt: skip
            actions = json.dumps(client.answer(3))
            client.send({"id": 2, "method": "shutdown"})
            client.answer(2)
        finally:
            stderr = client.close()
        prompts = "\n".join(json.dumps(r.body) for r in llm.requests)
    logged = log.read_text(encoding="utf-8")
    messages = json.dumps(client.notifications)
    assert "Sending data" in logged and "didChange" in logged  # pygls traced the messages
    planted = _secrets() + ["sk-test-Uu8Ii9Oo0Pp1Aa2Ss3Dd4", EDITOR_KEY]
    assert [s for s in planted if s in logged] == []
    assert [s for s in planted if s in stderr] == []
    assert [s for s in planted if s in messages] == []
    assert [s for s in planted if s in actions] == []
    assert [s for s in planted if s in prompts] == []
    assert "[REDACTED]" in logged  # what was removed is said


@pytest.mark.parametrize("quoting", ["json", "repr"])
def test_log_lines_lose_credentials_quoted_as_json_or_repr(quoting: str) -> None:
    """A traced message quotes the document (``\\"`` and ``\\n`` escapes); none survives."""
    text = _source(old=False)
    quoted = json.dumps({"text": text}) if quoting == "json" else repr({"text": text})
    logged = redact_log(f"Sending data: {quoted}")
    assert [s for s in _secrets() if s in logged] == []
    assert redact_log("Sending data: {\"x\": 1}") == "Sending data: {\"x\": 1}"  # fmt: skip
