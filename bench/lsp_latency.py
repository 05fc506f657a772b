"""How fast the editor sees a review after an edit, and whether the server's memory stays flat.

Drives the real ``tactful lsp`` over stdio with a minimal JSON-RPC client (push
diagnostics, as VS Code gets them; debounce 0; offline reviewers only). The document is a
real ~5,000-line module from the installed standard library, committed to a temporary git
repository. Each edit is one line: odd edits append a comment to a random line, even edits
put it back, so the buffer stays one line away from its base, as during typing.

Prints didChange -> publishDiagnostics latency (p50/p95/max) over the first ``--edits``
edits, and the server's RSS after edit 100 and after edit ``--rss-edits``.

    python bench/lsp_latency.py [--edits 200] [--rss-edits 1000] [--file PATH] [--no-call-graph]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_client import Client, percentile, rss_kib  # noqa: E402  (a sibling script, not a package)

TARGET_LINES = 5000


def pick_module() -> Path:
    """The standard-library module whose length is closest to 5,000 lines."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    best: tuple[int, str, Path] | None = None
    for path in stdlib.rglob("*.py"):
        if any(
            part.startswith("test") or part in ("site-packages", "idlelib")
            for part in path.relative_to(stdlib).parts
        ):
            continue
        try:
            lines = path.read_text("utf-8").count("\n")
        except (OSError, UnicodeDecodeError):
            continue
        key = (abs(lines - TARGET_LINES), str(path), path)
        if best is None or key < best:
            best = key
    assert best is not None
    return best[2]


class LatencyClient(Client):
    """Resolves a future with the arrival time of each version's diagnostics."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        super().__init__(proc)
        self.published: dict[int, asyncio.Future[float]] = {}

    def expect(self, version: int) -> asyncio.Future[float]:
        """A future resolved with the arrival time of the diagnostics of ``version``."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.published[version] = future
        return future

    def on_notification(self, message: dict[str, Any], arrived: float) -> None:
        if message.get("method") == "textDocument/publishDiagnostics":
            future = self.published.pop(message["params"].get("version"), None)
            if future is not None and not future.done():
                future.set_result(arrived)


async def run(source: Path, edits: int, rss_edits: int, call_graph: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="tactful-bench-"))
    try:
        repo = work / "repo"
        repo.mkdir()
        target = repo / source.name
        shutil.copyfile(source, target)
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "b",
            "GIT_AUTHOR_EMAIL": "b@b",
            "GIT_COMMITTER_NAME": "b",
            "GIT_COMMITTER_EMAIL": "b@b",
        }
        env.pop("OPENAI_BASE_URL", None)
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
            subprocess.run(["git", *args], cwd=repo, env=env, check=True)
        text = target.read_text("utf-8")
        lines = text.split("\n")
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tactful.server.lsp",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        client = LatencyClient(proc)
        uri = target.as_uri()
        await client.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": repo.as_uri(),
                "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
                "initializationOptions": {
                    "lsp": {"debounceMs": 0},
                    "llm": {"enabled": False},
                    "review": {"callGraph": call_graph},
                    "feedback": {"dbPath": str(work / "feedback.sqlite3")},
                    "cacheDir": str(work / "cache"),
                },
            },
        )
        client.notify("initialized", {})
        opened = client.expect(1)
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        await asyncio.wait_for(opened, 120)

        rng = random.Random(0)
        latencies: list[float] = []
        rss_at: dict[int, int] = {}
        total = max(edits, rss_edits)
        line_no, original = 0, ""
        for n in range(1, total + 1):
            if n % 2 == 1:
                line_no = rng.randrange(len(lines) - 1)
                original = lines[line_no]
                new_line = original + f"  # edit {n}"
            else:
                new_line = original
            version = n + 1
            arrived = client.expect(version)
            start = time.perf_counter()
            client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [
                        {
                            "range": {
                                "start": {"line": line_no, "character": 0},
                                "end": {"line": line_no + 1, "character": 0},
                            },
                            "text": new_line + "\n",
                        }
                    ],
                },
            )
            latencies.append((await asyncio.wait_for(arrived, 120)) - start)
            if n in (100, rss_edits):
                rss_at[n] = rss_kib(proc.pid)
        await client.request("shutdown", None)
        client.notify("exit", None)
        await proc.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    first = [x * 1000 for x in latencies[:edits]]
    every = [x * 1000 for x in latencies]
    print(
        f"file: {source} ({len(lines):,} lines), call graph {'on' if call_graph else 'off'}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"didChange -> diagnostics over {len(first)} edits: p50 {statistics.median(first):.1f} ms, "
        f"p95 {percentile(first, 0.95):.1f} ms, max {max(first):.1f} ms (target p95 <= 50 ms)"
    )
    print(
        f"over all {len(every)} edits: p50 {statistics.median(every):.1f} ms, p95 {percentile(every, 0.95):.1f} ms, max {max(every):.1f} ms"
    )
    if 100 in rss_at and rss_edits in rss_at:
        growth = (rss_at[rss_edits] - rss_at[100]) / rss_at[100] * 100
        print(
            f"server RSS: {rss_at[100] / 1024:.1f} MiB after 100 edits, {rss_at[rss_edits] / 1024:.1f} MiB after {rss_edits:,} "
            f"({growth:+.1f}%, target <= 10%)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--rss-edits", type=int, default=1000)
    parser.add_argument(
        "--file", type=Path, help="module to edit (default: a ~5,000-line stdlib module)"
    )
    parser.add_argument(
        "--no-call-graph", action="store_true", help="review.callGraph off (checks and gate only)"
    )
    args = parser.parse_args()
    asyncio.run(run(args.file or pick_module(), args.edits, args.rss_edits, not args.no_call_graph))


if __name__ == "__main__":
    main()
