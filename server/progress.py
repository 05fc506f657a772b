"""Progress on stderr for slow headless work, such as a cold index build.

A terminal gets a transient bar; a CI log (``CI`` set, stderr not a terminal) gets a plain
line at most every ``CI_EVERY_S`` seconds; anything else gets nothing. Never stdout, which
may carry a machine format.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[int, int], None]
CI_EVERY_S = 10.0


@contextmanager
def terminal_progress(description: str) -> Iterator[Progress | None]:
    """A ``(done, total)`` callback reporting on stderr (see the module docstring), or None."""
    if not sys.stderr.isatty():
        if os.environ.get("CI", "").lower() in ("", "0", "false"):
            yield None
            return
        last = [0.0]

        def line(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= CI_EVERY_S or (total and done >= total):
                last[0] = now
                sys.stderr.write(
                    f"tactful: {description}: {done:,}/{total:,}\n"
                    if total
                    else f"tactful: {description}: {done:,}\n"
                )
                sys.stderr.flush()

        yield line
        return
    from rich.console import Console
    from rich.progress import Progress as Bar

    with Bar(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
