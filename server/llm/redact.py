"""Remove strings that look like credentials from text before it leaves the machine.

Every prompt goes through :func:`redact`. The patterns favour catching a secret over
keeping a harmless string: a redacted literal costs the reviewer a little context, a
leaked key costs much more.
"""

from __future__ import annotations

import re
from functools import cache

PLACEHOLDER = "[REDACTED]"

_TOKEN_PATTERNS = (
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)",
    r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b",  # AWS access key ids
    r"\bgh[pousr]_[A-Za-z0-9]{30,}\b",  # GitHub tokens
    r"\bgithub_pat_[A-Za-z0-9_]{30,}\b",
    r"\bglpat-[A-Za-z0-9_-]{20,}\b",  # GitLab
    r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b",  # OpenAI / Anthropic style
    r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b",  # Slack
    r"\bAIza[0-9A-Za-z_-]{35}\b",  # Google API keys
    r"\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}\b",  # Stripe
    r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b",  # JWTs
    r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{16,}",
)

# key = "value" where the key names a secret; the value (not the key) is replaced.
_ASSIGNMENT = (
    r"(?i)(?P<key>[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|private[_-]?key|client[_-]?secret|credentials?)[A-Za-z0-9_.-]*[\"']?\s*(?::=|=>|=|:)\s*)"
    r"(?P<quote>[\"'`])(?P<value>[^\"'`\s]{6,})(?P=quote)"
)

# scheme://user:password@host
_URL_CREDENTIALS = r"(?P<scheme>\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)(?P<value>[^\s@/]{3,})(?=@)"


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], ...], re.Pattern[str], re.Pattern[str]]:
    return (
        tuple(re.compile(p) for p in _TOKEN_PATTERNS),
        re.compile(_ASSIGNMENT),
        re.compile(_URL_CREDENTIALS),
    )


def redact(text: str) -> tuple[str, int]:
    """``text`` with credential-looking strings replaced by ``[REDACTED]``, and how many."""
    tokens, assignment, url = _compiled()
    count = 0

    def _quoted(m: re.Match[str]) -> str:
        nonlocal count
        value = m.group("value")
        if value == PLACEHOLDER or _looks_like_placeholder(value):
            return m.group(0)
        count += 1
        return f"{m.group('key')}{m.group('quote')}{PLACEHOLDER}{m.group('quote')}"

    def _url(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"{m.group('scheme')}{PLACEHOLDER}"

    def _whole(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return PLACEHOLDER

    for pattern in tokens:
        text = pattern.sub(_whole, text)
    text = assignment.sub(_quoted, text)
    text = url.sub(_url, text)
    return text, count


def _looks_like_placeholder(value: str) -> bool:
    """Values that are clearly not secrets: env lookups, templates, obvious dummies."""
    lowered = value.lower()
    return (
        lowered.startswith(("$", "{", "<", "%"))
        or lowered in {"password", "changeme", "example", "xxxxxx", "******", "redacted"}
        or set(lowered) <= {"x", "*", "."}
    )
