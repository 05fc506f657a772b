"""The real ``tactful lsp`` with one extra check rule that always raises (end-to-end tests only).

The tests start the server as a subprocess, so they cannot reach into it; this script adds
the crashing rule before the server starts. The rule runs inside the real ``run_checks``
loop, so a test sees the real isolation: the other rules still report, and the crash becomes
a coverage note and a log line. ``TACTFUL_TEST_FAULTY_RULE`` names the rule.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from tactful.analyzers import checks
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.model import Severity
from tactful.server.lsp.__main__ import main


class InjectedFault(RuntimeError):
    """The failure the injected rule raises."""


def _explode(ctx: CheckContext) -> Iterable[Hit]:
    raise InjectedFault(f"injected failure on {ctx.path}")


if __name__ == "__main__":
    rule_id = os.environ.get("TACTFUL_TEST_FAULTY_RULE", "test.always-crashes")
    info = RuleInfo(
        rule_id, ("python",), Severity.WARNING, "correctness", "test-only rule that always raises"
    )
    checks.ALL_RULES = (*checks.ALL_RULES, Rule(info, _explode))
    sys.exit(main())
