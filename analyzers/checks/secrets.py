"""Secrets committed in any file: cloud keys, tokens, private keys, hardcoded credentials.

Two rules. ``generic.secret`` finds keys recognisable by their shape and high-entropy values
assigned to a secret-naming variable. ``generic.hardcoded-credential`` finds passwords in
connection URLs (``scheme://user:password@host``), in connection strings
(``Server=...;Password=...;``) and literal ``Authorization`` headers, in every language.

The finding's ``code`` is a hash of the secret, never the secret itself, and no message
quotes it: findings are logged and exported, and a review tool must not copy a leaked key
into more places. Placeholders (``${DB_PASSWORD}``, ``<password>``, ``xxx``, ``changeme``)
are skipped: silence beats noise.

Every pattern is linear on one long line: runs start only at a boundary of their own
character class (a lookbehind) or right after a literal, and the rest is bounded.
Secret-naming words are found with ``str.find`` rather than a case-insensitive alternation,
which would cost a regex attempt at every position.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterator

from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.model import Severity, Span

# (kind, literal that must occur, pattern); group "secret" is the flagged text when present.
PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "private key",
        "-----BEGIN",
        re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"),
    ),
    (
        "AWS access key",
        "A",
        re.compile(r"(?<![0-9A-Za-z])(?P<secret>(?:AKIA|ASIA)[0-9A-Z]{16})(?![0-9A-Za-z])"),
    ),
    (
        "GitHub token",
        "gh",
        re.compile(
            r"(?<![A-Za-z0-9_])(?P<secret>gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})"
        ),
    ),
    (
        "Slack token",
        "xox",
        re.compile(r"(?<![A-Za-z0-9_-])(?P<secret>xox[baprs]-[A-Za-z0-9-]{10,})"),
    ),
    (
        "Stripe live key",
        "_live_",
        re.compile(r"(?<![A-Za-z0-9_])(?P<secret>[sr]k_live_[0-9A-Za-z]{20,})"),
    ),
    ("Google API key", "AIza", re.compile(r"(?<![A-Za-z0-9_-])(?P<secret>AIza[0-9A-Za-z_-]{35})")),
)

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.-")

# A word naming a secret, matched on ASCII-lowered text (no case-insensitive flag: that
# makes the engine try every position; a plain alternation skips most of them in C).
SECRET_NAME = r"(?:password|passwd|passphrase|pwd|secret|token|credential|(?:api|access|auth|private|signing)[_-]?key)"
# The name, an assignment, a quoted value (group "secret").
NAMED_QUOTED = re.compile(
    SECRET_NAME + r"""(?P<rest>[a-z0-9_.-]{0,40})["']?[ \t]{0,10}(?::=|=>|=|:)[ \t]{0,10}"""
    r"""(?P<quote>["'`])(?P<secret>[^"'`\s]{16,500})(?P=quote)"""
)
# Unquoted (shell, .env, INI): judged by the same entropy test, so code is not flagged.
NAMED_UNQUOTED = re.compile(
    SECRET_NAME + r"(?P<rest>[a-z0-9_.-]{0,40})[ \t]{0,10}=[ \t]{0,10}(?P<secret>\S{16,201})"
)
_UNQUOTED_VALUE = re.compile(r"[A-Za-z0-9+/=_-]{16,200}")

MAX_HITS_PER_LINE = 3
"""A line with more credentials than this is generated data; more findings on it are noise."""

PLACEHOLDER_WORDS = (
    "example",
    "xxxx",
    "your",
    "changeme",
    "dummy",
    "placeholder",
    "redacted",
    "sample",
    "fake",
    "test",
)

# scheme://user:password@host; anchored on "://", the scheme is read back in Python.
URL_CREDENTIALS = re.compile(
    r"://(?P<user>[^\s:/@\"'`]{1,100}):(?P<secret>[^\s@/\"'`]{1,200})@(?P<host>[A-Za-z0-9.\[\]-]{1,200})"
)
# Password=...; inside a connection string (ADO.NET, ODBC, JDBC properties).
CONNECTION_PASSWORD = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(?:password|pwd)[ \t]{0,5}=[ \t]{0,5}(?P<secret>[^;\"'\s]{1,200})(?=;|[\"'])"
)
CONNECTION_KEYS = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(?:server|data source|host|user id|uid|database|initial catalog)[ \t]{0,5}="
)
# Literal Authorization header values.
BASIC_AUTH = re.compile(
    r"(?i)authorization[\"']?[ \t]{0,5}[:=,][ \t]{0,5}[\"']?basic[ \t]{1,5}(?P<secret>[A-Za-z0-9+/]{8,300}={0,2})(?![A-Za-z0-9+/=])"
)
BEARER_AUTH = re.compile(
    r"(?i)authorization[\"']?[ \t]{0,5}[:=,][ \t]{0,5}(?P<quote>[\"'`])bearer[ \t]{1,5}(?P<secret>[A-Za-z0-9._~+/=-]{16,500})(?P=quote)"
)

# A password-named variable, field, key or parameter given a short quoted literal (the long
# ones are generic.secret's); matched on ASCII-lowered text, the value read back from the line.
NAMED_PASSWORD = re.compile(
    r"""(?<![a-z0-9_])[a-z0-9_]{0,30}(?:password|passwd|passphrase|pwd)["']?[ \t]{0,10}(?::=|=>|=|:)[ \t]{0,40}"""
    r"""(?P<quote>["'`])(?P<secret>[^"'`\s]{8,64})(?P=quote)"""
)

PLACEHOLDER_PASSWORDS = frozenset(
    {
        "password",
        "pass",
        "passwd",
        "pwd",
        "secret",
        "changeme",
        "redacted",
        "none",
        "null",
        "empty",
        "root",
        "admin",
    }
)


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_real(value: str) -> bool:
    lowered = value.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        return False
    if any(
        marker in value for marker in ("${", "{{", "%s", "%(", "<", "process.env", "os.environ")
    ):
        return False
    has_letters = any(c.isalpha() for c in value)
    has_digits = any(c.isdigit() for c in value)
    return has_letters and has_digits and shannon_entropy(value) >= 3.5


def _is_placeholder_password(value: str) -> bool:
    """``${DB_PASSWORD}``, ``<pw>``, ``%s``, ``{password}``, ``xxx``, ``****``, ``changeme``, env lookups."""
    lowered = value.lower()
    return (
        lowered in PLACEHOLDER_PASSWORDS
        or lowered.startswith(("$", "%", "<", "{", "[", "#", "&", "@", ":"))
        or any(
            marker in lowered
            for marker in ("{", "}", "%s", "%(", "<", ">", "$", "env", "getenv", "+")
        )
        or any(word in lowered for word in PLACEHOLDER_WORDS)
        or len(set(lowered) - {"x", "*", ".", "-", "_", "?"}) == 0
        or lowered.startswith("pass")
        and len(lowered) <= 10
        and lowered[4:].strip("word_0123456789") == ""
    )


def _fingerprint(kind: str, secret: str) -> str:
    return f"{kind}:{hashlib.sha256(secret.encode('utf-8')).hexdigest()[:12]}"


def _name_before(lowered: str, start: int) -> int:
    """Start of the variable name that ends with the secret word at ``start`` (at most 40 back)."""
    floor = max(start - 40, 0)
    while start > floor and lowered[start - 1] in _NAME_CHARS:
        start -= 1
    return start


def _named_values(line: str, *, unquoted: bool) -> Iterator[tuple[str, re.Match[str]]]:
    """(variable name, match) for each value assigned to a secret-naming name.

    Matched on the ASCII-lowered line (same length, so spans carry over) with one compiled
    pattern, so failed attempts stay inside the regex engine. ``unquoted`` also accepts
    bare values (``KEY=value``), which only config files and scripts write; in code a bare
    value is an expression.
    """
    lowered = line.translate(_ASCII_LOWER)
    for pattern in (NAMED_QUOTED, NAMED_UNQUOTED) if unquoted else (NAMED_QUOTED,):
        for m in pattern.finditer(lowered):
            if pattern is NAMED_UNQUOTED and not _UNQUOTED_VALUE.fullmatch(line, *m.span("secret")):
                continue
            yield line[_name_before(lowered, m.start()) : m.end("rest")], m


def find_secrets(ctx: CheckContext) -> Iterator[Hit]:
    for number in sorted(ctx.added):
        line = ctx.line(number)
        seen: list[tuple[int, int]] = []
        for kind, literal, pattern in PATTERNS:
            if literal not in line:
                continue
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
        for name, match in _named_values(line, unquoted=ctx.language is None):
            start, end = match.span("secret")
            secret = line[start:end]
            if any(s <= start < e for s, e in seen) or not _looks_real(secret):
                continue
            yield Hit(
                Span(number, start, number, end),
                f"`{name}` is assigned what looks like a real credential; move it "
                "out of the code and rotate it.",
                _fingerprint("credential", secret),
            )


def _basic_has_password(encoded: str) -> bool:
    """Whether a Basic credential decodes to ``user:password`` with a real-looking password."""
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True).decode(
            "utf-8"
        )
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    user, sep, password = decoded.partition(":")
    return bool(sep and password) and not _is_placeholder_password(password)


def find_hardcoded_credentials(ctx: CheckContext) -> Iterator[Hit]:
    # Tests and examples set made-up passwords on purpose: only a real-looking one is worth a word.
    named = not ctx.is_test_file and not EXAMPLE_PATH.search(ctx.path.replace("\\", "/"))
    for number in sorted(ctx.added):
        yield from itertools.islice(
            _credentials_on_line(ctx.line(number), number, named), MAX_HITS_PER_LINE
        )


EXAMPLE_PATH = re.compile(r"(^|/)(examples?|samples?|docs?|demo|fixtures?)/")


def _password_like(value: str) -> bool:
    """Three of lower case, upper case, digits and punctuation: how people write real passwords."""
    classes = (
        any(c.islower() for c in value),
        any(c.isupper() for c in value),
        any(c.isdigit() for c in value),
        any(not c.isalnum() for c in value),
    )
    return (
        sum(classes) >= 3
        and not value.startswith(("http", "/", "./"))
        and "." not in value.strip(".")
    )


def _credentials_on_line(line: str, number: int, named: bool = True) -> Iterator[Hit]:
    if "://" in line:
        for m in URL_CREDENTIALS.finditer(line):
            secret = m.group("secret")
            if (
                _is_placeholder_password(secret)
                or _is_placeholder_password(m.group("user"))
                and len(secret) < 3
            ):
                continue
            if not named and not _looks_real(secret):
                continue  # a test's or an example's URL fixture (`http://user:p%40ss@host`)
            yield Hit(
                Span(number, m.start("secret"), number, m.end("secret")),
                "This URL carries a password in clear text; read the credentials from the environment "
                "or a secret store, and rotate this one (it is in the history now).",
                _fingerprint("url password", secret),
            )
    lowered = line.translate(_ASCII_LOWER)
    if ("password" in lowered or "pwd" in lowered) and CONNECTION_KEYS.search(line):
        for m in CONNECTION_PASSWORD.finditer(line):
            secret = m.group("secret")
            if _is_placeholder_password(secret) or not named and not _looks_real(secret):
                continue
            yield Hit(
                Span(number, m.start("secret"), number, m.end("secret")),
                "This connection string has its password written into the code; build it from "
                "configuration or the environment, and rotate this password.",
                _fingerprint("connection password", secret),
            )
    if named and ("pass" in lowered or "pwd" in lowered):
        for m in NAMED_PASSWORD.finditer(lowered):
            secret = line[m.start("secret") : m.end("secret")]
            if _is_placeholder_password(secret) or not _password_like(secret):
                continue
            if len(secret) >= 16 and _looks_real(secret):
                continue  # generic.secret reports it
            yield Hit(
                Span(number, m.start("secret"), number, m.end("secret")),
                "A password is written into the code here; read it from configuration or the "
                "environment, and rotate this one (it is in the history now).",
                _fingerprint("named password", secret),
            )
    if "authorization" in lowered:
        for m in BASIC_AUTH.finditer(line):
            if _basic_has_password(m.group("secret")) and (named or _looks_real(m.group("secret"))):
                yield Hit(
                    Span(number, m.start("secret"), number, m.end("secret")),
                    "This Authorization header hardcodes Basic credentials (base64 is not "
                    "encryption); load them from configuration and rotate the password.",
                    _fingerprint("basic auth", m.group("secret")),
                )
        for m in BEARER_AUTH.finditer(line):
            secret = m.group("secret")
            if _looks_real(secret):
                yield Hit(
                    Span(number, m.start("secret"), number, m.end("secret")),
                    "This Authorization header hardcodes a bearer token; load it from "
                    "configuration or the environment, and revoke this one.",
                    _fingerprint("bearer token", secret),
                )


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.secret",
            (),
            Severity.ERROR,
            "security",
            "private keys, AWS/GitHub/Slack/Stripe/Google keys, high-entropy credentials (any file)",
        ),
        find_secrets,
    ),
    Rule(
        RuleInfo(
            "generic.hardcoded-credential",
            (),
            Severity.ERROR,
            "security",
            "passwords in connection URLs and strings, literal Authorization headers (any file)",
            confidence=0.8,
        ),
        find_hardcoded_credentials,
    ),
)
