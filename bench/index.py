"""Benchmark the repository index on code no one here wrote: Django 5.1 and the `effect` npm package.

    python bench/index.py                 # both corpora
    python bench/index.py --corpus django --sample 50 --seed 7   # plus 50 resolved call sites to check by hand

Downloads (``pip download`` of the Django 5.1 sdist, ``npm pack effect``) are kept under
~/.cache/tactful-bench, so reruns are offline. Each corpus is unpacked into a temporary
folder and staged in a throwaway git repository (the index lists files with git). Printed,
in one process: files, lines, the tree-sitter parse-only floor (one core), a tags-only run
on two threads (to compare threads with the process pool), cold index (fresh cache, process
pool on every core), warm index (same index, no changes), warm from the disk cache (a new
index), a one-file update, peak RSS, resolved share, and files with parse errors.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import random
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from tactful.analyzers.callgraph import extract_tags
from tactful.analyzers.languages import detect_language, get_parser
from tactful.server.index import RepoIndex
from tactful.server.settings import Settings

DOWNLOADS = Path.home() / ".cache" / "tactful-bench"


def fetch(corpus: str) -> Path:
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    pattern = {"django": "[Dd]jango-5.1*.tar.gz", "effect": "effect-*.tgz"}[corpus]
    found = sorted(DOWNLOADS.glob(pattern))
    if not found:
        if corpus == "django":
            cmd = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "django==5.1.*",
                "-d",
                str(DOWNLOADS),
            ]
        else:
            cmd = ["npm", "pack", "effect", "--pack-destination", str(DOWNLOADS)]
        subprocess.run(cmd, check=True, capture_output=True)
        found = sorted(DOWNLOADS.glob(pattern))
    return found[-1]


def unpack(archive: Path, corpus: str, into: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    if corpus == "effect":
        return into / "package" / "src"
    return next(into.iterdir())


def stage_git(root: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def run(corpus: str, sample: int, seed: int, workers: int) -> None:
    archive = fetch(corpus)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix=f"tactful-bench-{corpus}-") as tmp:
        root = unpack(archive, corpus, Path(tmp) / "src")
        stage_git(root)
        settings = Settings(cache_dir=str(Path(tmp) / "cache"))
        index = RepoIndex(root, settings, workers=workers)

        started, cpu0, child0 = time.perf_counter(), time.process_time(), children_cpu()
        cold = index.build()
        cold_s = time.perf_counter() - started
        cold_cpu = time.process_time() - cpu0 + children_cpu() - child0
        paths = sorted(t.path for t in index.all_tags())
        texts = {p: (root / p).read_bytes() for p in paths}
        langs = {p: detect_language(p) or "" for p in paths}

        started, cpu0 = time.perf_counter(), time.process_time()
        for p in paths:
            get_parser(langs[p]).parse(texts[p])
        floor_s = time.perf_counter() - started
        floor_cpu = time.process_time() - cpu0

        started, cpu0 = time.perf_counter(), time.process_time()
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda p: extract_tags(langs[p], p, texts[p].decode()), paths))
        threads_s = time.perf_counter() - started
        threads_cpu = time.process_time() - cpu0

        started = time.perf_counter()
        warm = index.build()
        warm_s = time.perf_counter() - started
        started = time.perf_counter()
        reopened = RepoIndex(
            root, settings, workers=workers
        )  # kept: freeing it is not part of a start
        from_disk = reopened.build()
        disk_s = time.perf_counter() - started
        del reopened

        victim = sorted(paths, key=lambda p: len(texts[p]))[len(paths) // 2]
        text = texts[victim].decode()
        timings = []
        for i in range(5):
            started = time.perf_counter()
            index.update_file(
                victim,
                text + f"\n// edit {i}\n"
                if langs[victim] != "python"
                else text + f"\n# edit {i}\n",
            )
            index.graph.callers(
                index.graph.files[victim].definitions[0].qualified_name, victim
            ) if index.graph.files[victim].definitions else None
            timings.append(time.perf_counter() - started)
        update_ms = sorted(timings)[2] * 1000

        started = time.perf_counter()
        counts = index.graph.resolved_counts()
        resolve_s = time.perf_counter() - started
        total = sum(counts.values())
        lines = cold.lines
        own, children = peak_rss_mb()
        print(f"== {corpus} ({archive.name}, {workers} workers, {os.cpu_count()} cpus)")
        print(
            f"files {cold.files:,}  lines {lines:,}  skipped {len(cold.skipped)} "
            f"({', '.join(sorted({s.reason for s in cold.skipped})) or '-'})  files with parse errors {cold.files_with_errors:,}"
        )
        print(f"definitions {cold.definitions:,}  references {cold.references:,}")
        print(f"load average at start {load:.1f} (other work on this machine inflates wall times)")
        print(f"parse-only floor (1 core)   {floor_s:7.2f} s wall, {floor_cpu:6.2f} s cpu")
        print(
            f"tags only, 2 threads        {threads_s:7.2f} s wall, {threads_cpu:6.2f} s cpu  ({threads_s / floor_s:.2f}x floor wall)"
        )
        print(
            f"cold index (process pool)   {cold_s:7.2f} s wall, {cold_cpu:6.2f} s cpu  ({cold_s / floor_s:.2f}x floor wall; "
            f"{cold_cpu / workers / floor_cpu:.2f}x floor cpu per core; target <= 2x)"
        )
        print(
            f"warm, same index            {warm_s:7.3f} s   ({warm_s / lines * 1e5:.3f} s per 100k lines; target <= 0.1; parsed {warm.parsed})"
        )
        print(
            f"warm, new index from disk   {disk_s:7.3f} s   ({disk_s / lines * 1e5:.3f} s per 100k lines; parsed {from_disk.parsed})"
        )
        print(
            f"one-file update ({victim}, {len(texts[victim]):,} bytes)  {update_ms:.1f} ms (median of 5; target <= 50)"
        )
        print(f"resolving every call site   {resolve_s:7.2f} s")
        print(
            f"resolved {1 - counts['unresolved'] / total:.1%} of {total:,} call sites "
            f"(exact {counts['exact']:,}, imported {counts['imported']:,}, name-only {counts['name-only']:,})"
        )
        print(f"peak RSS {own:.0f} MB (this process), {children:.0f} MB (largest worker)")
        if sample:
            print_sample(index, sample, seed)


def print_sample(index: RepoIndex, count: int, seed: int) -> None:
    """``count`` random resolved call sites with their first target, for checking by hand."""
    resolved = [ref for ref in index.graph.references() if index.graph.resolve(ref)]
    rng = random.Random(seed)
    for n, ref in enumerate(rng.sample(resolved, min(count, len(resolved))), 1):
        target, confidence = index.graph.resolve(ref)[0]
        more = len(index.graph.resolve(ref)) - 1
        print(f"{n:2}. {ref.path}:{ref.span.start_line} in {ref.caller}: {ref.snippet[:100]}")
        print(
            f"    -> {target.path}:{target.span.start_line} {target.qualified_name} [{confidence}]"
            f"{f' (+{more} more)' if more else ''}  {target.signature[:80]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", choices=("django", "effect", "both"), default="both")
    parser.add_argument("--sample", type=int, default=0, help="print N random resolved call sites")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    for corpus in ("django", "effect") if args.corpus == "both" else (args.corpus,):
        run(corpus, args.sample, args.seed, args.workers)


if __name__ == "__main__":
    main()
