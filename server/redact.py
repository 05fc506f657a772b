"""Remove strings that look like credentials from text before it leaves the machine.

Every prompt goes through :func:`redact` (added and removed lines alike), and so does any
export that quotes reviewed code; every log line tactful writes goes through
:func:`redact_log` (its handlers use :class:`RedactingFormatter`). The patterns favour catching a secret over
keeping a harmless string: a redacted literal costs the reviewer a little context, a
leaked key costs much more.

Every pattern runs in linear time on one long line: unbounded runs start only where the
character before them cannot belong to the run (a lookbehind on the run's own class,
placed after the literal prefix so the engine can still search for that literal), so
each run is scanned once, and everything else is bounded. Secret-naming words are found
with ``str.find`` and only the text right after each is matched, so a 100,000-character
line costs milliseconds.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

PLACEHOLDER = "[REDACTED]"

# Words that name a secret: a text without any of them skips the named-value patterns.
_SECRET_WORDS = ("password", "passwd", "passphrase", "pwd", "secret", "token", "credential", "key")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# (literal that must occur, pattern) for credentials recognisable on their own.
_TOKEN_PATTERNS = (
    # PEM and PGP private keys; an unterminated block is redacted to the end of the text.
    (
        "-----BEGIN",
        r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
        r"(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|\Z)",
    ),
    (
        "A",
        r"(?:AKIA|ASIA|AGPA|AIDA|AROA)(?<![0-9A-Za-z]....)[0-9A-Z]{16}(?![0-9A-Za-z])",
    ),  # AWS key ids
    ("gh", r"gh[pousr]_(?<![A-Za-z0-9_]....)[A-Za-z0-9]{30,}"),  # GitHub tokens
    ("github_pat_", r"github_pat_(?<![A-Za-z0-9_]...........)[A-Za-z0-9_]{30,}"),
    ("glpat-", r"glpat-(?<![A-Za-z0-9_-]......)[A-Za-z0-9_-]{20,}"),  # GitLab
    (
        "sk-",
        r"sk-(?<![A-Za-z0-9_-]...)(?:proj-|ant-)?[A-Za-z0-9_-]{20,}",
    ),  # OpenAI / Anthropic style
    ("xox", r"xox[abprs]-(?<![A-Za-z0-9_-].....)[A-Za-z0-9-]{10,}"),  # Slack
    ("AIza", r"AIza(?<![A-Za-z0-9_-]....)[0-9A-Za-z_-]{35}"),  # Google API keys
    ("_", r"(?:sk|rk|pk)_(?:live|test)_(?<![A-Za-z0-9_]........)[0-9A-Za-z]{16,}"),  # Stripe
    (
        "eyJ",
        r"eyJ(?<![A-Za-z0-9_.-]...)[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
    ),  # JWTs
    ("bearer", r"(?i)\bbearer\s{1,10}[A-Za-z0-9._~+/=-]{16,}"),
    ("basic", r"(?i)\bbasic\s{1,10}[A-Za-z0-9+/]{12,}={0,2}"),  # HTTP basic credentials
)

# What may follow a secret-naming word; group "value" is replaced. Tried in order.
_QUOTED = (  # api_key = "value"
    r"[A-Za-z0-9_.-]{0,40}[\"']?\s{0,10}(?::=|=>|=|:)\s{0,10}"
    r"(?P<quote>[\"'`])(?P<value>[^\"'`\s]{6,})(?P=quote)"
)
_UNQUOTED = (  # shell, .env, INI, YAML: DB_PASSWORD=hunter2, aws_secret_access_key = ...
    r"[A-Za-z0-9_.-]{0,40}\s{0,10}(?:=|:)[ \t]{0,10}"
    r"(?P<value>(?<![^\s=:])[^\s\"'`;&|,(){}\[\]<>]{6,})"
)
_FALLBACK = (  # a literal fallback after a lookup: process.env.TOKEN || "abc", getenv("KEY", "abc")
    r"[A-Za-z0-9_.\-\"'\])]{0,60}\s{0,5}(?:\|\||\?\?|or\b|,)\s{0,5}"
    r"(?P<quote>[\"'`])(?P<value>[^\"'`\s]{6,200})(?P=quote)"
)
_CONNECTION_STRING = (  # Password=...; in a connection string
    r"[ \t]{0,5}=[ \t]{0,5}(?P<value>[^;=\"'\s(),\[\]{}]{3,200})(?=;|\"|'|\s|$)"
)
# (user, password) pairs: auth=("admin", "..."), HTTPBasicAuth("admin", "...").
_AUTH_PAIR = (
    r"\s{0,5}(?:=|:)?\s{0,5}[(\[]\s{0,5}"
    r"(?P<q1>[\"'])[^\"'\n]{0,100}(?P=q1)\s{0,5},\s{0,5}(?P<quote>[\"'])(?P<value>[^\"'\n]{3,200})(?P=quote)"
)

# scheme://user:password@host (anchored on the literal "://").
_URL_CREDENTIALS = r"://[^\s:/@]{0,200}:(?P<value>[^\s@/]{3,200})@"

# A lone high-entropy base64 run, such as the body lines of a PEM key whose header is not
# in the text (a rotated key shows only its changed body lines in a diff).
_BASE64_RUN = r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])"
_BASE64_MIN_ENTROPY = 4.5


# A plain alternation on lowered text: the engine skips positions that cannot start it.
_SECRET_NAME = r"(?:password|passwd|passphrase|pwd|secret|token|credential|(?:api|access|auth|private|signing)[_-]?key)"
_NAMED_FORMS = (
    _SECRET_NAME + _QUOTED,
    _SECRET_NAME + _FALLBACK,
    _SECRET_NAME + _UNQUOTED,
    r"(?<![a-z0-9_])[a-z]{0,20}auth" + _AUTH_PAIR,
)
_UNQUOTED_FORM = _NAMED_FORMS[2]
# Tried only where the unquoted form judged a value to be code: `Password=MyPassword;`.
_CONNECTION_FORM = r"(?:password|pwd)" + _CONNECTION_STRING


@dataclass(frozen=True)
class _Patterns:
    tokens: tuple[tuple[str, re.Pattern[str]], ...]
    named: tuple[re.Pattern[str], ...]
    connection: re.Pattern[str]
    url: re.Pattern[str]
    base64_run: re.Pattern[str]


@cache
def _compiled() -> _Patterns:
    return _Patterns(
        tokens=tuple((literal, re.compile(p)) for literal, p in _TOKEN_PATTERNS),
        named=tuple(re.compile(p) for p in _NAMED_FORMS),
        connection=re.compile(_CONNECTION_FORM),
        url=re.compile(_URL_CREDENTIALS),
        base64_run=re.compile(_BASE64_RUN),
    )


def redact(text: str) -> tuple[str, int]:
    """``text`` with credential-looking strings replaced by ``[REDACTED]``, and how many."""
    patterns = _compiled()
    count = 0

    def _whole(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return PLACEHOLDER

    def _value(m: re.Match[str]) -> str:
        nonlocal count
        if not _is_secret_value(m):
            return m.group(0)
        count += 1
        whole = m.group(0)
        return (
            whole[: m.start("value") - m.start()]
            + PLACEHOLDER
            + whole[m.end("value") - m.start() :]
        )

    def _base64(m: re.Match[str]) -> str:
        nonlocal count
        run = m.group(0)
        if not _mixed(run) or _entropy(run) < _BASE64_MIN_ENTROPY:
            return run
        count += 1
        return PLACEHOLDER

    lowered = text.translate(_ASCII_LOWER)
    for literal, pattern in patterns.tokens:
        if (literal in lowered) if literal.islower() else (literal in text):
            text = pattern.sub(_whole, text)
    text, named = _redact_named_values(text, patterns)
    count += named
    if "://" in text:
        text = patterns.url.sub(_value, text)
    text = patterns.base64_run.sub(_base64, text)
    return text, count


def _redact_named_values(text: str, patterns: _Patterns) -> tuple[str, int]:
    """Values assigned to (or paired with) a secret-naming word.

    Each form is one pattern run over the ASCII-lowered text (same length, so spans carry
    over): failed attempts stay inside the regex engine and only matches cost Python
    time. Where forms overlap, the earliest match wins, then the form listed first.
    """
    lowered = text.translate(_ASCII_LOWER)
    if not any(word in lowered for word in (*_SECRET_WORDS, "auth")):
        return text, 0
    candidates: list[tuple[int, int, re.Match[str]]] = []
    for rank, pattern in enumerate(patterns.named):
        candidates.extend((m.start(), rank, m) for m in pattern.finditer(lowered))
    candidates.sort(key=_candidate_order)
    out: list[str] = []
    cursor = 0
    for start, _, m in candidates:
        if start < cursor:
            continue  # inside a value already replaced
        if not _is_secret_value(m):
            retry = (
                patterns.connection.match(lowered, start)
                if m.re.pattern == _UNQUOTED_FORM
                else None
            )
            if retry is None or not _is_secret_value(retry):
                continue
            m = retry
        out.append(text[cursor : m.start("value")])
        out.append(PLACEHOLDER)
        cursor = m.end("value")
    out.append(text[cursor:])
    count = len(out) // 2
    return "".join(out), count


def _candidate_order(candidate: tuple[int, int, re.Match[str]]) -> tuple[int, int]:
    return candidate[0], candidate[1]


def _is_secret_value(m: re.Match[str]) -> bool:
    value = m.group("value")
    return not (value == PLACEHOLDER or _looks_like_placeholder(value) or _looks_like_code(m))


_DUMMY_VALUES = frozenset(
    {"password", "changeme", "example", "xxxxxx", "******", "redacted", "none", "null"}
)
_DUMMY_CHARS = frozenset("x*.")
_PLACEHOLDER_LOWER = PLACEHOLDER.lower()


def _looks_like_placeholder(value: str) -> bool:
    """Values that are clearly not secrets: env lookups, templates, obvious dummies."""
    lowered = value.lower()
    return (
        lowered[:1] in ("$", "{", "<", "%")
        or _PLACEHOLDER_LOWER in lowered
        or lowered in _DUMMY_VALUES
        or _DUMMY_CHARS.issuperset(lowered)
    )


def _looks_like_code(m: re.Match[str]) -> bool:
    """An unquoted value that is an expression, not a literal: ``password = get_pw()``.

    Only matches of the unquoted assignment are judged; an identifier without digits
    (``DEFAULT_PASSWORD``, ``password_input``) or one followed by a call, attribute or
    subscript is a reference to the secret, not the secret.
    """
    if m.re.pattern != _UNQUOTED_FORM:
        return False
    value = m.group("value")
    after = m.string[m.end("value") : m.end("value") + 1]
    if after in ("(", ".", "[") or "." in value and value.replace(".", "").isidentifier():
        return True
    return value.isidentifier() and not any(c.isdigit() for c in value)


def _mixed(run: str) -> bool:
    return (
        any(c.isupper() for c in run)
        and any(c.islower() for c in run)
        and any(c.isdigit() for c in run)
    )


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


# Escapes as json.dumps and repr() write them: a traced LSP message quotes the document's
# text that way, so `password = \"hunter2\"` and `\n`-joined key lines hide from the
# patterns above until decoded.
_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|[nrt\"'\\/])")
_ESCAPED = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "'": "'", "\\": "\\", "/": "/"}


def _unescape(m: re.Match[str]) -> str:
    code = m.group(0)[1:]
    return chr(int(code[1:], 16)) if code[0] == "u" else _ESCAPED[code]


def redact_log(text: str) -> str:
    """A log line with its credentials redacted, including those inside quoted JSON.

    The line is kept as it is unless decoding its escapes reveals more credentials; then
    the decoded text is logged (redacted), since only that form shows what was removed.
    """
    clean, _ = redact(text)
    if "\\" not in clean:
        return clean
    decoded = _ESCAPE.sub(_unescape, clean)
    again, more = redact(decoded)
    return again if more else clean


class RedactingFormatter(logging.Formatter):
    """Formats a record (message, arguments and traceback) and redacts the result.

    Every handler tactful installs uses it: the LSP log file, stderr, ``window/logMessage``
    and the CLI's log, so pygls's message tracing is redacted like tactful's own lines.
    """

    def format(self, record: logging.LogRecord) -> str:
        return redact_log(super().format(record))
