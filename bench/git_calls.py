"""How many git subprocesses one review spawns: a one-line CLI review and one editor re-review.

Builds a small repository (five committed modules, one function edited so that it has a
finding, which makes the display gate ask for HEAD and blame), then runs, under
``strace -f -e trace=execve`` (Linux; strace must be installed):

- ``tactful review --no-llm`` once, counting every git process it starts;
- ``tactful lsp`` with the file open, counting the git processes of the ``--edits``
  didChange re-reviews after the first (offline, debounce 0), per edit.

Prints the counts by git subcommand and the median wall time of the CLI review (without
strace, ``--runs`` runs).

    python bench/git_calls.py [--edits 20] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_client import Client  # noqa: E402  (a sibling script, not a package)

EDITED = """def read_all(path):
    try:
        return open(path).read()
    except Exception:
        pass
"""
EXEC = re.compile(r'^\d+\s+(\d+\.\d+) execve\("[^"]*/git", \[(.*)\].* = 0$')


def make_repo(work: Path, env: dict[str, str]) -> Path:
    repo = work / "repo"
    (repo / "pkg").mkdir(parents=True)
    for n in range(1, 6):
        (repo / "pkg" / f"m{n}.py").write_text(
            f"def f{n}(x):\n    return x + {n}\n\n\ndef g{n}(y):\n    return f{n}(y) * 2\n"
        )
    (repo / "pkg" / "io.py").write_text(EDITED.replace("except Exception:", "except OSError:"))
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)
    (repo / "pkg" / "io.py").write_text(EDITED)
    return repo


def git_execs(trace: Path, start: float = 0.0, end: float = float("inf")) -> list[str]:
    """The git command lines that started between ``start`` and ``end`` (epoch seconds)."""
    found = []
    for line in trace.read_text("utf-8", "replace").splitlines():
        match = EXEC.match(line)
        if match and start <= float(match[1]) < end:
            args = [a.strip().strip('"') for a in match[2].split(", ")][1:]
            words = []
            while args:
                word = args.pop(0)
                if word in ("-C", "-c"):
                    args.pop(0)  # the folder or the option it sets
                else:
                    words.append(re.sub(r"[0-9a-f]{20,}\S*", "SHA", word))
            found.append(" ".join(words[:5]))
    return found


def show(title: str, calls: list[str], per: int = 1) -> None:
    print(
        f"{title}: {len(calls) / per:g} git processes"
        + (f" per edit ({len(calls)} in all)" if per > 1 else "")
    )
    for command, count in collections.Counter(calls).most_common():
        print(f"  {count / per:6g}  git {command}")


class Published(Client):
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        super().__init__(proc)
        self.waiting: dict[int, asyncio.Future[None]] = {}

    def expect(self, version: int) -> asyncio.Future[None]:
        self.waiting[version] = asyncio.get_running_loop().create_future()
        return self.waiting[version]

    def on_notification(self, message: dict[str, Any], arrived: float) -> None:
        if message.get("method") == "textDocument/publishDiagnostics":
            future = self.waiting.pop(message["params"].get("version"), None)
            if future is not None and not future.done():
                future.set_result(None)


async def editor(
    repo: Path, work: Path, env: dict[str, str], edits: int
) -> tuple[Path, float, float]:
    trace = work / "lsp.trace"
    proc = await asyncio.create_subprocess_exec(
        "strace", "-f", "-qq", "-ttt", "-e", "trace=execve", "-o", str(trace),
        sys.executable, "-m", "tactful.server", "lsp",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env, cwd=repo,
    )  # fmt: skip
    client = Published(proc)
    await client.initialize(repo)
    uri = (repo / "pkg" / "io.py").as_uri()
    opened = client.expect(1)
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": EDITED}})  # fmt: skip
    await asyncio.wait_for(opened, 120)
    start = time.time()
    for version in range(2, edits + 2):
        done = client.expect(version)
        comment = "    # edited\n" if version % 2 == 0 else ""
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": EDITED.replace("    try:\n", "    try:\n" + comment)}]})  # fmt: skip
        await asyncio.wait_for(done, 120)
    end = time.time()
    await client.request("shutdown", None)
    client.notify("exit", None)
    await proc.wait()
    return trace, start, end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("strace") is None:
        sys.exit("bench/git_calls.py needs strace")
    work = Path(tempfile.mkdtemp(prefix="tactful-git-calls-"))
    try:
        env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b",
               "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@b",
               "TACTFUL_CACHE_DIR": str(work / "cache"), "TACTFUL_DATA_DIR": str(work / "data"),
               "TACTFUL_CONFIG_DIR": str(work / "config")}  # fmt: skip
        for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
            env.pop(name, None)
        repo = make_repo(work, env)
        review = [sys.executable, "-m", "tactful.server", "review", "--no-llm"]
        trace = work / "cli.trace"
        subprocess.run(
            ["strace", "-f", "-qq", "-ttt", "-e", "trace=execve", "-o", str(trace), *review],
            cwd=repo, env=env, stdout=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        show("CLI one-line review", git_execs(trace))
        times = []
        for _ in range(args.runs):
            begin = time.perf_counter()
            subprocess.run(review, cwd=repo, env=env, stdout=subprocess.DEVNULL, check=False)
            times.append(time.perf_counter() - begin)
        print(
            f"  CLI review wall time: median {statistics.median(times) * 1000:.0f} ms over {args.runs} runs"
        )
        trace, start, end = asyncio.run(editor(repo, work, env, args.edits))
        show("editor didChange re-review", git_execs(trace, start, end), per=args.edits)
        print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
