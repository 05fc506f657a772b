"""Soak: one editor session under sustained edits while two CLI reviews write feedback to the same log.

One real ``tactful lsp`` with 50 open documents (standard-library modules committed to a
temporary git repository) takes 1,000 one-line edits spread over them (each edit adds or
removes a ``breakpoint()`` line, so every review has something to say), dismissing a
finding every tenth edit; meanwhile two ``tactful review`` processes (gate on) log their
decisions into the same SQLite feedback log. Printed: didChange -> diagnostics p50/p95/p99,
errors (JSON-RPC errors and unanswered edits), the server's peak RSS and its growth from
edit 100 to the end, and the feedback events acknowledged against those found in the store
afterwards (they must be equal).

    python bench/soak.py [--docs 50] [--edits 1000] [--trace-memory]

``--trace-memory`` runs the server under ``tracemalloc`` and prints the allocation sites that
grew most between edit 100 and the end (what to look at when RSS grows).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_client import Client, percentile, rss_kib  # noqa: E402  (a sibling script, not a package)

GIT_ENV = {
    "GIT_AUTHOR_NAME": "b",
    "GIT_AUTHOR_EMAIL": "b@b",
    "GIT_COMMITTER_NAME": "b",
    "GIT_COMMITTER_EMAIL": "b@b",
}


def modules(count: int) -> list[Path]:
    """``count`` standard-library modules of 300-3,000 lines, in a fixed order."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    picked = []
    for path in sorted(stdlib.glob("*.py")):
        try:
            lines = path.read_text("utf-8").count("\n")
        except (OSError, UnicodeDecodeError):
            continue
        if 300 <= lines <= 3000:
            picked.append(path)
        if len(picked) == count:
            break
    return picked


class SoakClient(Client):
    """Remembers each document's last diagnostics and when each version's arrived."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        super().__init__(proc)
        self.waiting: dict[tuple[str, int], asyncio.Future[float]] = {}
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}

    def expect(self, uri: str, version: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[(uri, version)] = future
        return future

    def on_notification(self, message: dict[str, Any], arrived: float) -> None:
        if message.get("method") == "textDocument/publishDiagnostics":
            params = message["params"]
            self.diagnostics[params["uri"]] = params["diagnostics"]
            future = self.waiting.pop((params["uri"], params.get("version")), None)
            if future is not None and not future.done():
                future.set_result(arrived)


async def cli_review(repo: Path, env: dict[str, str]) -> int:
    """One headless review of the working tree (gate on); returns the decisions it logged."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tactful.server", "review", "--no-llm", "--format", "json", cwd=repo, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"tactful review failed: {err.decode()[-400:]}")
    data = json.loads(out)
    return len(data["findings"]) + len(data["hidden"])


# Runs the server with a SIGUSR1 handler that dumps a tracemalloc snapshot (bench only).
TRACED_SERVER = """
import os, runpy, signal, sys, tracemalloc
tracemalloc.start(8)
dumps = iter(range(10**6))
def dump(*_):
    path = os.environ["TACTFUL_SOAK_SNAPSHOT"] + f".{next(dumps)}"
    tracemalloc.take_snapshot().dump(path + ".tmp")
    os.replace(path + ".tmp", path)
signal.signal(signal.SIGUSR1, dump)
sys.argv = ["tactful", "lsp"]
runpy.run_module("tactful.server", run_name="__main__")
"""


async def snapshot(proc: asyncio.subprocess.Process, base: Path, number: int) -> Any:
    """Ask the traced server for its allocation snapshot ``number`` and load it."""
    import signal
    import tracemalloc

    proc.send_signal(signal.SIGUSR1)
    path = Path(f"{base}.{number}")
    while not path.exists():  # the server writes it between two of its own steps
        await asyncio.sleep(0.05)
    return tracemalloc.Snapshot.load(str(path))


STDLIB = sysconfig.get_paths()["stdlib"]
REPO = str(Path(__file__).resolve().parents[1]) + "/"


def print_growth(first: Any, last: Any, top: int = 12) -> None:
    print(f"allocation sites that grew most after edit 100 (tracemalloc, top {top}):")
    for stat in last.compare_to(first, "traceback")[:top]:
        # The newest frames outside the event loop and threading machinery say who allocated.
        frames = [f for f in reversed(stat.traceback) if not f.filename.startswith(STDLIB)]
        where = " <- ".join(
            f"{f.filename.split('site-packages/')[-1].removeprefix(REPO)}:{f.lineno}"
            for f in (frames or list(reversed(stat.traceback)))[:3]
        )
        print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} blocks  {where}")


async def run(docs: int, edits: int, trace_memory: bool = False) -> None:
    work = Path(tempfile.mkdtemp(prefix="tactful-soak-"))
    try:
        repo = work / "repo"
        repo.mkdir()
        sources = modules(docs)
        for source in sources:
            shutil.copyfile(source, repo / source.name)
        db = work / "feedback.sqlite3"
        (repo / ".tactful").mkdir()
        (repo / ".tactful" / "settings.json").write_text(
            json.dumps({"feedback": {"dbPath": str(db)}})
        )
        env = {**os.environ, **GIT_ENV, "TACTFUL_CACHE_DIR": str(work / "cache"), "TACTFUL_DATA_DIR": str(work / "data"),
               "TACTFUL_TRUST_REPO": "1"}  # fmt: skip
        env.pop("OPENAI_BASE_URL", None)
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
            subprocess.run(["git", *args], cwd=repo, env=env, check=True)
        # The CLI reviews see a change too: one breakpoint() appended to the first module.
        first = repo / sources[0].name
        first.write_text(first.read_text("utf-8") + "\nbreakpoint()\n", "utf-8")

        command = ["-c", TRACED_SERVER] if trace_memory else ["-m", "tactful.server", "lsp"]
        env["TACTFUL_SOAK_SNAPSHOT"] = str(work / "snapshot")
        snapshots: list[Any] = []
        proc = await asyncio.create_subprocess_exec(
            sys.executable, *command, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, env=env, cwd=repo,
        )  # fmt: skip
        client = SoakClient(proc)
        await client.initialize(repo)
        texts: dict[str, list[str]] = {}
        versions: dict[str, int] = {}
        for source in sources:
            uri = (repo / source.name).as_uri()
            text = (repo / source.name).read_text("utf-8")
            texts[uri] = text.split("\n")
            versions[uri] = 1
            opened = client.expect(uri, 1)
            client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
            )
            await asyncio.wait_for(opened, 120)

        clis = [asyncio.ensure_future(cli_review(repo, env)) for _ in range(2)]
        rng = random.Random(7)
        latencies: list[float] = []
        unanswered = 0
        acknowledged = 0
        rss_100 = peak = 0
        uris = list(texts)
        for n in range(1, edits + 1):
            uri = rng.choice(uris)
            lines = texts[uri]
            end = len(lines) - 1
            if lines[-1] == "" and lines[-2].startswith("breakpoint()"):
                change = {
                    "range": {
                        "start": {"line": end - 1, "character": 0},
                        "end": {"line": end, "character": 0},
                    },
                    "text": "",
                }
                del lines[-2]
            else:
                change = {"range": {"start": {"line": end, "character": 0}, "end": {"line": end, "character": 0}},
                          "text": f"breakpoint()  # {n}\n"}  # fmt: skip
                lines.insert(end, f"breakpoint()  # {n}")
            versions[uri] += 1
            arrived = client.expect(uri, versions[uri])
            start = time.perf_counter()
            client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": versions[uri]},
                                                    "contentChanges": [change]})  # fmt: skip
            try:
                latencies.append(await asyncio.wait_for(arrived, 60) - start)
            except asyncio.TimeoutError:
                unanswered += 1
            if n % 10 == 0:
                for diagnostic in client.diagnostics.get(uri, []):
                    data = diagnostic.get("data") or {}
                    if "fingerprint" in data:
                        answer = await client.request("workspace/executeCommand", {
                            "command": "tactful.dismiss", "arguments": [{"uri": uri, **data}]})  # fmt: skip
                        acknowledged += bool((answer.get("result") or {}).get("recorded"))
                        break
            if n == 100:
                rss_100 = rss_kib(proc.pid)
                if trace_memory:
                    snapshots.append(await snapshot(proc, work / "snapshot", 0))
            peak = max(peak, rss_kib(proc.pid))
        rss_end = rss_kib(proc.pid)
        if trace_memory:
            snapshots.append(await snapshot(proc, work / "snapshot", 1))
        cli_logged = sum(await asyncio.gather(*clis))
        await client.request("shutdown", None)
        client.notify("exit", None)
        await proc.wait()

        with sqlite3.connect(db) as store:
            dismissed = store.execute(
                "SELECT COUNT(*) FROM events WHERE kind = 'dismissed'"
            ).fetchone()[0]
            cli_events = store.execute(
                "SELECT COUNT(*) FROM events WHERE client = 'cli'"
            ).fetchone()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ms = [x * 1000 for x in latencies]
    print(
        f"{len(sources)} open documents, {edits:,} edits, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    print(f"didChange -> diagnostics: p50 {percentile(ms, 0.5):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, "
          f"p99 {percentile(ms, 0.99):.1f} ms, max {max(ms):.1f} ms")  # fmt: skip
    print(
        f"errors: {client.errors} JSON-RPC error responses, {unanswered} edits without diagnostics"
    )
    if len(snapshots) == 2:
        print_growth(*snapshots)
    growth = (rss_end - rss_100) / rss_100 * 100 if rss_100 else 0.0
    print(f"server RSS: peak {peak / 1024:.1f} MiB; {rss_100 / 1024:.1f} MiB after 100 edits -> "
          f"{rss_end / 1024:.1f} MiB after {edits:,} ({growth:+.1f}%)")  # fmt: skip
    print(f"feedback: editor acknowledged {acknowledged} dismissals, store has {dismissed}; "
          f"CLI runs logged {cli_logged} decisions, store has {cli_events} -> "
          f"{'equal' if (acknowledged, cli_logged) == (dismissed, cli_events) else 'MISMATCH'}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--trace-memory", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.docs, args.edits, args.trace_memory))


if __name__ == "__main__":
    main()
