"""The packaged VS Code extension in a real VS Code workbench, driven as a user would.

code-server 4.100.3 (VS Code 1.100 served to a browser) runs the ``.vsix`` built from
``editors/vscode``; Debian's chromium, driven by playwright-core (``vscode_e2e_driver.cjs``),
opens a repository with an uncommitted change, waits for tactful's diagnostics in the
Problems panel and the status bar, applies a quick fix and saves, and marks another finding
"Not helpful…" with a reason. This test then checks the file on disk and the feedback log.
``.ci/code-server`` installs code-server and playwright-core outside the repository (CI
runs it); without them, or without chromium, the test skips and says what is missing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import GIT_ENV, GitRepo
from tactful.server.feedback import FeedbackStore

EXTENSION = Path(__file__).resolve().parents[1] / "editors" / "vscode"
DRIVER = Path(__file__).with_name("vscode_e2e_driver.cjs")
CODE_SERVER_VERSION = "4.100.3"
CACHE = Path(
    os.environ.get("TACTFUL_CODE_SERVER_DIR") or Path.home() / ".cache" / "tactful" / "code-server"
)
CHROMIUM = Path("/usr/bin/chromium")
ENTRY = CACHE / "node_modules" / "code-server" / "out" / "node" / "entry.js"

BASE = "def check(value):\n    return value is None\n\n\ndef load(path):\n    with open(path) as handle:\n        return handle.read()\n"
EDITED = (
    "def check(value):\n    if value == None:\n        return True\n    return False\n\n\n"
    'def load(path):\n    try:\n        with open(path) as handle:\n            return handle.read()\n    except:\n        return ""\n'
)


def missing() -> str:
    """Why the test cannot run here ('' when it can)."""
    if not (CACHE / f".ready-{CODE_SERVER_VERSION}").is_file():
        return (
            f"code-server {CODE_SERVER_VERSION} is not installed in {CACHE} (run .ci/code-server)"
        )
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not (EXTENSION / "node_modules").is_dir():
        return "the extension's npm dependencies are not installed (npm ci in editors/vscode)"
    return ""


pytestmark = [
    pytest.mark.skipif(bool(missing()), reason=missing() or "-"),
    pytest.mark.timeout(600),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def node(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", *args], capture_output=True, text=True, check=False, **kwargs)


def own_dirs(tmp_path: Path) -> dict[str, str]:
    """code-server and chromium keep their config, data and logs here, not in the user's home."""
    return {
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
    }


@pytest.fixture
def workbench(tmp_path: Path) -> Iterator[tuple[str, GitRepo, Path]]:
    """code-server with the freshly packaged extension, serving a repository with a change."""
    vsix = tmp_path / "tactful.vsix"
    built = subprocess.run(
        ["npm", "run", "--silent", "package", "--", "--out", str(vsix)],  # the script users run
        cwd=EXTENSION, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    assert "WARNING" not in built.stdout + built.stderr
    user_data, extensions = tmp_path / "user-data", tmp_path / "extensions"
    installed = node(
        str(ENTRY), "--user-data-dir", str(user_data), "--extensions-dir", str(extensions),
        "--install-extension", str(vsix), timeout=300, env={**os.environ, **own_dirs(tmp_path)},
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr

    repo = GitRepo(tmp_path / "repo")
    repo.root.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("app.py", BASE)
    repo.commit("base")
    repo.write("app.py", EDITED)  # the uncommitted change under review
    feedback = tmp_path / "feedback.sqlite3"
    settings = user_data / "User" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(
        "{\n"
        f'  "tactful.server.path": "{sys.executable}",\n'
        '  "tactful.lsp.debounceMs": 0,\n'
        '  "tactful.gate.enabled": false,\n'
        '  "tactful.trace.server": "verbose",\n'  # every LSP message in the tactful log
        f'  "tactful.feedback.dbPath": "{feedback}",\n'
        '  "workbench.startupEditor": "none",\n'
        '  "workbench.tips.enabled": false,\n'
        '  "extensions.autoCheckUpdates": false,\n'
        '  "telemetry.telemetryLevel": "off"\n'
        "}\n"
    )
    (tmp_path / "config.yaml").write_text("")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")},
        **GIT_ENV,
        "TACTFUL_DATA_DIR": str(tmp_path / "data"),
        "TACTFUL_CACHE_DIR": str(tmp_path / "cache"),
        **own_dirs(tmp_path),
    }
    port = free_port()
    log = (tmp_path / "code-server.log").open("w+")
    server = subprocess.Popen(
        ["node", str(ENTRY), "--auth", "none", "--bind-addr", f"127.0.0.1:{port}",
         "--config", str(tmp_path / "config.yaml"), "--user-data-dir", str(user_data),
         "--extensions-dir", str(extensions), "--disable-telemetry", "--disable-update-check",
         "--disable-workspace-trust", "--disable-getting-started-override", str(repo.root)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        for line in server.stdout:  # wait for the line that says it is serving
            log.write(line)
            if "HTTP server listening on" in line:
                break
        else:
            pytest.fail(f"code-server exited ({server.wait()}) before serving")
        yield f"http://127.0.0.1:{port}/?folder={repo.root}", repo, feedback
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()


def test_extension_in_a_real_workbench(workbench: tuple[str, GitRepo, Path], tmp_path: Path):
    url, repo, feedback = workbench
    screenshots = Path(os.environ.get("TACTFUL_E2E_ARTIFACTS") or tmp_path / "screenshots")
    screenshots.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    driven = node(
        str(DRIVER), timeout=400,
        env={**os.environ, **own_dirs(tmp_path), "CODE_SERVER_DIR": str(CACHE), "URL": url,
             "REPO": str(repo.root), "OUT": str(screenshots)},
    )  # fmt: skip
    assert driven.returncode == 0, (
        f"{driven.stdout}{driven.stderr}\nscreenshots in {screenshots}; "
        f"code-server's log in {tmp_path / 'code-server.log'}; the LSP trace in "
        f"{next(tmp_path.glob('user-data/logs/*/exthost*/tactful.tactful/tactful.log'), '-')}"
    )
    print(f"workbench driven in {time.monotonic() - started:.1f} s; screenshots in {screenshots}")
    assert (repo.root / "app.py").read_text() == EDITED.replace("value == None", "value is None")
    assert (screenshots / "vscode-diagnostics.png").stat().st_size > 10_000
    with FeedbackStore.open(feedback) as store:
        events = store.events(kinds=["accepted", "rejected"])
    assert {(e.kind, e.rule, e.reason, e.client) for e in events} == {
        ("accepted", "py.none-comparison", "", "vscode"),
        ("rejected", "py.bare-except", "Wrong", "vscode"),
    }


if __name__ == "__main__":  # a way to keep the screenshots: python tests/test_vscode_e2e.py
    sys.exit(pytest.main([__file__, "-x", "-q", "-s"]))
