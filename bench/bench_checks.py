"""Time run_checks on large all-added files and on a one-line change; prints the figures."""

from __future__ import annotations

import time

from tactful.analyzers.checks import run_checks
from tactful.analyzers.model import FileChange, FileStatus, Hunk

PY_BLOCK = '''def f{i}(a, b=[]):
    """Doc."""
    if a == None:
        print(a)
    try:
        x = g(a)
    except:
        pass
    # y = compute(a)
    # z = y + 1
    return b  # TODO later
'''
JS_BLOCK = "function f{i}(a) {{\n  console.log(a);\n  if (a == 1) {{ return 2; }}\n  try {{ g(); }} catch (e) {{}}\n  return a;\n}}\n"


def measure(path: str, language: str, source: str) -> None:
    lines = source.count("\n")
    everything = FileChange(
        path,
        path,
        FileStatus.ADDED,
        (Hunk(0, 0, 1, lines, "", tuple(range(1, lines + 1)), (), ()),),
    )
    one_line = FileChange(
        path, path, FileStatus.MODIFIED, (Hunk(1, lines, 1, lines, "", (4,), (), ()),)
    )
    run_checks(one_line, (), source, language)  # compile the queries first
    start = time.perf_counter()
    result = run_checks(everything, (), source, language)
    whole = time.perf_counter() - start
    fixes = sum(1 for f in result.findings if f.fix)
    start = time.perf_counter()
    small = run_checks(one_line, (), source, language)
    single = time.perf_counter() - start
    print(
        f"{path}: {lines} lines all added: {len(result.findings)} findings, {fixes} validated fixes, "
        f"{whole * 1000:.0f} ms; one added line: {len(small.findings)} findings, {single * 1000:.1f} ms"
    )


if __name__ == "__main__":
    for count in (50, 500):
        measure(f"big{count}.py", "python", "".join(PY_BLOCK.format(i=i) for i in range(count)))
        measure(
            f"big{count}.js", "javascript", "".join(JS_BLOCK.format(i=i) for i in range(count * 2))
        )
