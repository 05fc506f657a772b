"""The real ``tactful lsp`` with one extra check rule that always raises (end-to-end tests only).

The tests start the server as a subprocess, so they cannot reach into it; this script adds
the crashing rule before the server starts. The rule runs inside the real ``run_checks``
loop, so a test sees the real isolation: the other rules still report, and the crash becomes
a coverage note and a log line. ``TACTFUL_TEST_FAULTY_RULE`` names the rule.

A second rule, ``test.hold``, lets a test stop a review half-way, to send requests while it
runs: in a file whose text names a folder (``# tactful-test-hold: DIR``) holding a FIFO
``DIR/started``, the rule opens that FIFO for writing (the test's reader wakes: the review
is now under way), removes it (so later reviews pass), then waits until the test opens
``DIR/release`` for writing. Nothing else is held, and no file without the marker.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from tactful.analyzers import checks
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.model import Severity
from tactful.server.lsp.__main__ import main


class InjectedFault(RuntimeError):
    """The failure the injected rule raises."""


def _explode(ctx: CheckContext) -> Iterable[Hit]:
    raise InjectedFault(f"injected failure on {ctx.path}")


HOLD_MARKER = re.compile(r"# tactful-test-hold: (\S+)")


def _hold(ctx: CheckContext) -> Iterable[Hit]:
    marker = HOLD_MARKER.search(ctx.text)
    started = Path(marker.group(1)) / "started" if marker else None
    if started is None or not started.exists():
        return ()
    with started.open("w"):  # blocks until the test reads: it now knows the review is running
        pass
    started.unlink()
    with (started.parent / "release").open() as release:  # blocks until the test lets go
        release.read()
    return ()


if __name__ == "__main__":
    rule_id = os.environ.get("TACTFUL_TEST_FAULTY_RULE", "test.always-crashes")
    info = RuleInfo(
        rule_id, ("python",), Severity.WARNING, "correctness", "test-only rule that always raises"
    )
    hold = RuleInfo(
        "test.hold", ("python",), Severity.INFO, "correctness", "test-only rule that can wait"
    )
    checks.ALL_RULES = (*checks.ALL_RULES, Rule(info, _explode), Rule(hold, _hold))
    sys.exit(main())
