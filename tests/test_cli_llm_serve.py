"""``tactful llm serve``: argument checks, and a served endpoint printed once it is healthy.

The served binary here is a small stand-in for llama-server (a script that answers
``/health`` on the port it is given), so the test needs no model and no build.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from support import GIT_ENV
from tactful.server.cmd_llm import endpoint_text

FAKE_SERVER = textwrap.dedent(
    """\
    #!{python}
    import json
    import sys
    from http.server import BaseHTTPRequestHandler, HTTPServer

    args = sys.argv[1:]
    assert args[args.index("--host") + 1] == "127.0.0.1"
    port = int(args[args.index("--port") + 1])

    class Health(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()

        def do_POST(self):  # the speed probe: llama-server's timings
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps({{
                "choices": [{{"message": {{"content": "{{}}"}}}}],
                "timings": {{"prompt_per_second": 20.0, "predicted_per_second": 8.0}},
            }}).encode()
            self.send_response(200 if self.path == "/v1/chat/completions" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    HTTPServer(("127.0.0.1", port), Health).serve_forever()
    """
)


def _fake_binary(tmp_path: Path) -> Path:
    binary = tmp_path / "llama-server"
    binary.write_text(FAKE_SERVER.format(python=sys.executable))
    binary.chmod(0o755)
    return binary


def _gguf(tmp_path: Path) -> Path:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF" + bytes(28))
    return model


def test_missing_model_is_one_line(cli, tmp_path: Path) -> None:
    binary = _fake_binary(tmp_path)
    result = cli("llm", "serve", "--binary", str(binary), "--model", str(tmp_path / "none.gguf"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"tactful: error: --model {tmp_path / 'none.gguf'}: no such file"
    ]


def test_not_a_gguf_and_bad_numbers_are_named(cli, tmp_path: Path) -> None:
    binary = _fake_binary(tmp_path)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    result = cli("llm", "serve", "--binary", str(binary), "--model", str(text))
    assert result.returncode == 2 and "not a GGUF file" in result.stderr
    model = _gguf(tmp_path)
    for flag, value, message in (
        ("--port", "70000", "--port 70000: must be 0-65535"),
        ("--threads", "0", "--threads 0: must be at least 1"),
        ("--context", "16", "--context 16: must be at least 256 tokens"),
    ):
        result = cli("llm", "serve", "--binary", str(binary), "--model", str(model), flag, value)
        assert result.returncode == 2, flag
        assert result.stderr.strip() == f"tactful: error: {message}"


def test_missing_binary_says_how_to_build(cli, tmp_path: Path) -> None:
    model = _gguf(tmp_path)
    result = cli("llm", "serve", "--binary", str(tmp_path / "nope"), "--model", str(model))
    assert result.returncode == 2
    assert "scripts/llama_server.sh build" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_prints_endpoint_and_stops_the_server(tmp_path: Path) -> None:
    binary, model = _fake_binary(tmp_path), _gguf(tmp_path)
    env = {**os.environ, **GIT_ENV, "TACTFUL_LLAMA_DIR": str(tmp_path / "llama")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tactful.server", "llm", "serve", "--binary", str(binary)]
        + ["--model", str(model), "--port", "0", "--threads", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # printed only once /health answered
        assert first.startswith("llama-server is listening on http://127.0.0.1:")
        base_url = first.split(" on ", 1)[1].split(";", 1)[0]
        rest = [proc.stdout.readline() for _ in range(4)]
        assert f"OPENAI_BASE_URL={base_url}" in rest[1] and "TACTFUL_MODEL=tiny" in rest[1]
        assert f'"baseUrl": "{base_url}"' in rest[3]
        # 1,500 / 20 + 160 / 8 = 95 s a unit; 4 units, twice that; one reply of the full
        # 512 tokens (MAX_REPLY_TOKENS, 1,024 before), twice: (75 + 64) * 2 -> 280 s.
        assert '"timeoutS": 280.0, "deadlineS": 760.0' in rest[3]
        hint = proc.stdout.readline()
        assert hint.startswith("Speed measured: prompt 20.0 tokens/s, generation 8.0 tokens/s")
        assert "takes about 95 s" in hint
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_unmeasured_speed_prints_limits_for_a_cpu_model() -> None:
    text = endpoint_text("http://127.0.0.1:1/v1", "m", None)
    assert '"timeoutS": 180.0, "deadlineS": 430.0' in text  # 40 / 10 tokens/s, 512-token replies
    assert "not measured" in text and "about 54 s" in text
