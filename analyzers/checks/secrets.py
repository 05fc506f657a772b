"""Secrets committed in any file: cloud keys, tokens, private keys, high-entropy credentials.

The finding's ``code`` is a hash of the secret, never the secret itself: findings are
logged and exported, and a review tool must not copy a leaked key into more places.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterator

from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.model import Severity, Span

# (kind, pattern); group "secret" is the flagged text when present, else the whole match.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("AWS access key", re.compile(r"\b(?P<secret>(?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("GitHub token", re.compile(r"\b(?P<secret>gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b")),
    ("Slack token", re.compile(r"\b(?P<secret>xox[baprs]-[A-Za-z0-9-]{10,})")),
    ("Stripe live key", re.compile(r"\b(?P<secret>[sr]k_live_[0-9A-Za-z]{20,})\b")),
    ("Google API key", re.compile(r"\b(?P<secret>AIza[0-9A-Za-z_-]{35})\b")),
)

ASSIGNMENT = re.compile(
    r"""(?ix)
    (?P<name>[\w.-]*(?:api[_-]?key|secret|token|passw(?:or)?d|access[_-]?key|auth[_-]?key|credentials?)[\w.-]*)
    ["']?\s*(?::=|=>|=|:)\s*
    (?P<quote>["'`])(?P<secret>[^"'`\s]{16,})(?P=quote)
    """
)

PLACEHOLDER_WORDS = ("example", "xxxx", "your", "changeme", "dummy", "placeholder", "redacted", "sample", "fake", "test")


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_real(value: str) -> bool:
    lowered = value.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        return False
    if any(marker in value for marker in ("${", "{{", "%s", "%(", "<", "process.env", "os.environ")):
        return False
    has_letters = any(c.isalpha() for c in value)
    has_digits = any(c.isdigit() for c in value)
    return has_letters and has_digits and shannon_entropy(value) >= 3.5


def _fingerprint(kind: str, secret: str) -> str:
    return f"{kind}:{hashlib.sha256(secret.encode('utf-8')).hexdigest()[:12]}"


def find_secrets(ctx: CheckContext) -> Iterator[Hit]:
    for number in sorted(ctx.added):
        line = ctx.line(number)
        seen: list[tuple[int, int]] = []
        for kind, pattern in PATTERNS:
            for match in pattern.finditer(line):
                group = "secret" if "secret" in pattern.groupindex else 0
                start, end = match.span(group)
                secret = match.group(group)
                if "EXAMPLE" in secret:
                    continue  # AWS's documented example key
                seen.append((start, end))
                yield Hit(
                    Span(number, start, number, end),
                    f"This looks like a {kind} committed to the repository; remove it, rotate the "
                    "key (it is in the history now), and load it from the environment or a vault.",
                    _fingerprint(kind, secret),
                )
        for match in ASSIGNMENT.finditer(line):
            start, end = match.span("secret")
            secret = match.group("secret")
            if any(s <= start < e for s, e in seen) or not _looks_real(secret):
                continue
            yield Hit(
                Span(number, start, number, end),
                f"`{match.group('name')}` is assigned what looks like a real credential; move it "
                "out of the code and rotate it.",
                _fingerprint("credential", secret),
            )


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo("generic.secret", (), Severity.ERROR, "security",
                 "private keys, AWS/GitHub/Slack/Stripe/Google keys, high-entropy credentials (any file)"),
        find_secrets,
    ),
)
