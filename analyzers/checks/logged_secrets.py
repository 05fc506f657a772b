"""Secrets written to logs: a password, token or key passed to a logging call the change adds.

Logs are kept for months, shipped to other systems and read by people who may not see the
secret itself, so ``log.debug("login %s %s", user, password)`` leaks it. A logging call is
recognised by its receiver (``log``, ``logger``, ``console``, ``slog``, ``$this->logger``,
``Rails.logger``...) and method (``info``, ``warn``, ``Printf``, ``LogInformation``...),
or by name (PHP ``error_log``, ``syslog``, Rust's ``info!``-style macros). Its arguments
are searched for values named like a secret: plain names, fields and getters
(``cfg.Password``, ``user.getPassword()``) and what string interpolation, concatenation or
a format call puts into the message. Names that describe a secret without holding it
(``password_file``, ``token_type``, ``has_password``) and values passed through any other
call (``mask(token)``, ``len(password)``) are left alone, as are test files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo, nodes_of
from tactful.analyzers.languages import LANGUAGES
from tactful.analyzers.model import Severity

CALLS = frozenset(
    {
        "call", "call_expression", "method_invocation", "invocation_expression",
        "member_call_expression", "function_call_expression", "scoped_call_expression",
        "macro_invocation",
    }
)  # fmt: skip
ARGUMENT_LISTS = frozenset({"arguments", "argument_list", "token_tree"})
NAMES = frozenset(
    {
        "identifier", "property_identifier", "field_identifier", "shorthand_property_identifier",
        "instance_variable", "name",
    }
)  # fmt: skip
LOG_METHODS = frozenset(
    {
        "debug", "info", "information", "warn", "warning", "error", "exception", "critical",
        "fatal", "trace", "verbose", "notice", "log", "printf", "println", "print", "debugf",
        "infof", "warnf", "warningf", "errorf", "fatalf", "tracef", "debugw", "infow", "warnw",
        "errorw", "logdebug", "loginformation", "logwarning", "logerror", "logcritical",
        "logtrace",
    }
)  # fmt: skip
LOG_FUNCTIONS = frozenset({"error_log", "syslog", "nslog"})
LOG_MACROS = frozenset({"debug", "info", "warn", "error", "trace", "log"})
LOGGER_WORDS = frozenset({"log", "logger", "logging", "console", "slog", "klog", "glog", "zap"})
"""Words of a receiver that is a logger (``self.log``, ``auditLogger``; not ``catalog``)."""
PASS_THROUGH = frozenset(
    {"format", "sprintf", "str", "repr", "string", "tostring", "to_string", "join", "concat"}
)
"""Calls whose result still carries the value: a secret formatted into the message is logged."""

SECRET_WORDS = frozenset({"password", "passwd", "passphrase", "pwd", "secret", "credentials"})
SECRET_PAIRS = {
    "key": frozenset({"api", "access", "auth", "private", "secret", "signing", "client"}),
    "token": frozenset({"access", "refresh", "auth", "api", "bearer", "session", "oauth", "jwt"}),
}  # fmt: skip
FUSED = frozenset({"apikey", "authtoken", "accesstoken", "refreshtoken", "secretkey", "privatekey"})
DESCRIBES = frozenset(
    {
        "path", "file", "filename", "dir", "name", "len", "length", "count", "size", "type",
        "field", "hash", "hashed", "digest", "mask", "masked", "redacted", "env", "var", "prompt",
        "required", "enabled", "policy", "min", "max", "expires", "expiry", "ttl", "url",
        "header", "reset", "changed", "valid", "is", "has", "hint", "label", "format", "regex",
        "pattern", "store", "manager", "provider", "error", "err", "exception", "exc", "missing",
        "invalid", "ok", "match", "matches", "set", "present", "strength", "id", "ids", "uri",
        "location", "source", "kind", "version", "fingerprint", "prefix", "suffix", "last4",
    }
)  # fmt: skip
"""Words that make a secret-like name describe the secret (its file, type, length) instead."""
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def name_words(name: str) -> list[str]:
    """``accessToken``, ``ACCESS_TOKEN``, ``$access_token`` -> ``['access', 'token']``."""
    return [w.lower() for w in _WORD.findall(name)]


def holds_secret(name: str) -> bool:
    """True for a name that holds a secret (``password``, ``cfg.ApiKey``), not one describing it."""
    words = name_words(name)
    if not words or DESCRIBES.intersection(words):
        return False
    if SECRET_WORDS.intersection(words) or FUSED.intersection(words):
        return True
    return any(
        word in SECRET_PAIRS and words[i - 1] in SECRET_PAIRS[word]
        for i, word in enumerate(words)
        if i
    )


def _arguments(call: ts.Node) -> ts.Node | None:
    found = call.child_by_field_name("arguments")
    if found is not None:
        return found
    return next((c for c in reversed(call.named_children) if c.type in ARGUMENT_LISTS), None)


def _callee_parts(ctx: CheckContext, call: ts.Node, arguments: ts.Node | None) -> list[str]:
    """The dotted name before the arguments: ``self.log.info`` -> ``['self', 'log', 'info']``."""
    head: list[str] = []
    for child in call.children:
        if arguments is not None and child.start_byte >= arguments.start_byte:
            break
        head.append(ctx.node_text(child))
    return [p for p in re.split(r"[^A-Za-z0-9_]+", "".join(head)) if p]


def is_log_call(ctx: CheckContext, call: ts.Node) -> bool:
    parts = _callee_parts(ctx, call, _arguments(call))
    if not parts:
        return False
    method = parts[-1].lower()
    if call.type == "macro_invocation":
        return method in LOG_MACROS
    if len(parts) == 1:
        return method in LOG_FUNCTIONS
    return method in LOG_METHODS and any(
        LOGGER_WORDS.intersection(name_words(p)) for p in parts[:-1]
    )


def _masked_in_macro(ctx: CheckContext, node: ts.Node, before: ts.Node | None) -> bool:
    """A call inside a Rust macro's tokens (``mask(&token)``): the call hides the value."""
    return (
        node.type == "token_tree"
        and before is not None
        and before.type == "identifier"
        and ctx.node_text(before).lower() not in PASS_THROUGH
    )


def _logged_names(ctx: CheckContext, node: ts.Node) -> Iterator[ts.Node]:
    """Name nodes whose value ends up in the log message."""
    previous: ts.Node | None = None
    for child in node.named_children:
        callee, previous = previous, child
        if _masked_in_macro(ctx, child, callee):
            continue
        if child.type in CALLS:
            arguments = _arguments(child)
            parts = _callee_parts(ctx, child, arguments)
            if arguments is None or not arguments.named_children:
                if parts:  # a getter (``user.getPassword()``, Ruby's ``user.password``)
                    yield child
            elif parts and parts[-1].lower() in PASS_THROUGH:
                yield from _logged_names(ctx, arguments)
            continue
        if child.type in NAMES:
            yield child
        elif child.type != "lambda":
            yield from _logged_names(ctx, child)


def _last_name(ctx: CheckContext, node: ts.Node) -> str:
    if node.type in NAMES:
        return ctx.node_text(node)
    parts = _callee_parts(ctx, node, _arguments(node))
    return parts[-1] if parts else ""


def find_logged_secrets(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.tree is None or not ctx.added or ctx.is_test_file:
        return
    rows = (min(ctx.added) - 1, max(ctx.added) - 1)
    for call in nodes_of(ctx.tree.root_node, CALLS, rows):
        if not ctx.is_added(call.start_point[0] + 1) or not is_log_call(ctx, call):
            continue
        arguments = _arguments(call)
        if arguments is None:
            continue
        for name_node in _logged_names(ctx, arguments):
            name = _last_name(ctx, name_node)
            if holds_secret(name):
                yield ctx.hit(
                    name_node,
                    f"`{name}` is written to the log; logs are kept and shared far more widely "
                    "than a secret may be. Log that it is set (or a masked form) instead.",
                )
                break  # one comment per logging call


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.secret-logged",
            LANGUAGES,
            Severity.WARNING,
            "security",
            "a password, token or key passed to a logging call the change adds",
            confidence=0.8,
        ),
        find_logged_secrets,
    ),
)
