"""A local llama.cpp ``llama-server`` with a small model, for end-to-end tests and benchmarks.

``scripts/llama_server.sh build`` puts the binary and the SmolLM2 GGUF under
``~/.cache/tactful/llama`` (or ``TACTFUL_LLAMA_DIR``); :func:`find_llama` finds them and
:class:`LlamaServer` runs one on 127.0.0.1 (a free port unless given) until the context
exits. ``tactful llm serve`` (:mod:`tactful.server.cmd_llm`) runs one for the user.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def llama_dir() -> Path:
    return Path(os.environ.get("TACTFUL_LLAMA_DIR") or Path.home() / ".cache" / "tactful" / "llama")


def default_binary() -> Path:
    return Path(os.environ.get("LLAMA_SERVER") or llama_dir() / "bin" / "llama-server")


def default_model() -> Path:
    return Path(os.environ.get("LLAMA_MODEL") or llama_dir() / "models" / MODEL_FILE)


def is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_llama() -> tuple[Path, Path] | None:
    """``(llama-server binary, GGUF model)`` when both are installed, else None."""
    binary, model = default_binary(), default_model()
    if is_executable(binary) and model.is_file():
        return binary, model
    return None


class LlamaServer:
    """``with LlamaServer(binary, model) as server: server.base_url``."""

    def __init__(
        self,
        binary: Path,
        model: Path,
        *,
        threads: int = 1,
        context: int = 4096,
        startup_s: float = 180.0,
        port: int = 0,
        extra: Sequence[str] = (),
    ) -> None:
        self.binary, self.model = binary, model
        self.extra = tuple(extra)
        """Further llama-server options (e.g. ``--spec-type ngram-simple``)."""
        self.threads, self.context, self.startup_s = threads, context, startup_s
        self.port = port or _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = llama_dir() / f"server-{self.port}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> LlamaServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(
                [
                    str(self.binary),
                    "-m",
                    str(self.model),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "-t",
                    str(self.threads),
                    "-c",
                    str(self.context),
                    "--parallel",
                    "1",
                    *self.extra,
                ],
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait_healthy()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_s
        url = f"http://127.0.0.1:{self.port}/health"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"llama-server exited with {self.process.returncode}; see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)  # the server gives no readiness signal but /health
        raise RuntimeError(
            f"llama-server not healthy after {self.startup_s:g} s; see {self.log_path}"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
