"""Test-only fault injection: make one analyzer crash inside a real server process.

End-to-end tests start ``tactful lsp`` as a subprocess, so they cannot reach into it. With
``TACTFUL_LSP_FAULTY_RULE=<rule id>`` in its environment the server adds one extra check
rule with that id that raises on every Python file. The rule runs inside the real
``run_checks`` loop, so the test sees the real isolation: the other rules still report and
the crash becomes a coverage note and a log line. Nothing reads this variable otherwise.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from tactful.analyzers import checks
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.model import Severity

ENV = "TACTFUL_LSP_FAULTY_RULE"

log = logging.getLogger(__name__)


class InjectedFault(RuntimeError):
    """The failure the injected rule raises."""


def _explode(ctx: CheckContext) -> Iterable[Hit]:
    raise InjectedFault(f"injected failure on {ctx.path}")


def install_from_environment() -> str | None:
    """Add the crashing rule named by ``TACTFUL_LSP_FAULTY_RULE``; returns its id, if any."""
    rule_id = os.environ.get(ENV, "").strip()
    if not rule_id:
        return None
    info = RuleInfo(rule_id, ("python",), Severity.WARNING, "correctness", "test-only rule that always raises")
    checks.ALL_RULES = (*checks.ALL_RULES, Rule(info, _explode))
    log.warning("test-only fault injection: rule %s raises on every Python file", rule_id)
    return rule_id
