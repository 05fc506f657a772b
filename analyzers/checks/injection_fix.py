"""Identifier-only SQL pieces and the one fix offered: a Python f-string query turned into a
parameterised DB-API call when the driver's placeholder style is known from the imports."""

from __future__ import annotations

import re

import tree_sitter as ts
from tactful.analyzers.checks.base import (
    CheckContext,
)
from tactful.analyzers.checks.injection_text import Built, _text
from tactful.analyzers.model import Fix, TextEdit

IDENTIFIER_SLOT = re.compile(
    r"(?:\b(?:from|join|into|update|table|exists|use|listen|notify|unlisten|copy|truncate|database|schema)\s{1,4}[`\"\[]?|[`\"])"
    r"(?:%s|%\(\w{1,40}\)s|\{[^{}]{0,60}\}|\$\{[^{}]{0,60}\}|#\{[^{}]{0,60}\})",
    re.IGNORECASE,
)


def _identifiers_only(built: Built) -> bool:
    """Every dynamic piece sits where a table or column name goes (``FROM {table}``, `` `%s` ``)."""
    source = " ".join(_text(n) for n in built.nodes)
    return len(IDENTIFIER_SLOT.findall(source)) >= len(built.pieces)


PY_SIMPLE_PIECE = re.compile(r"^\{([A-Za-z_][\w.]{0,60})\}$")
PY_FIELD = re.compile(r"(['\"]?)\{([A-Za-z_][\w.]{0,60})\}\1")
QMARK_DRIVERS = ("sqlite3", "aiosqlite", "pyodbc", "duckdb")
FORMAT_DRIVERS = (
    "psycopg",
    "psycopg2",
    "pymysql",
    "MySQLdb",
    "mysql.connector",
    "aiomysql",
    "asyncpg",
)


def _placeholder(ctx: CheckContext) -> str | None:
    imports = {
        m.group(1)
        for m in re.finditer(r"^\s{0,8}(?:import|from)\s{1,4}([\w.]{1,60})", ctx.text, re.MULTILINE)
    }
    roots = {i.split(".")[0] for i in imports} | imports
    qmark = any(d in roots for d in QMARK_DRIVERS)
    pyformat = any(d in roots for d in FORMAT_DRIVERS if d != "asyncpg")
    if qmark == pyformat:
        return None  # unknown or mixed drivers: the placeholder style is a guess
    return "?" if qmark else "%s"


def _parameterise(ctx: CheckContext, call: ts.Node, args: list[ts.Node]) -> Fix | None:
    """``cur.execute(f"... {x} ...")`` -> ``cur.execute("... ? ...", (x,))`` for plain pieces."""
    if ctx.language != "python" or len(args) != 1 or args[0].type != "string":
        return None
    literal = args[0]
    raw = _text(literal)
    quote_at = next((i for i, ch in enumerate(raw) if ch in "'\""), -1)
    prefix = raw[:quote_at].lower()
    if quote_at < 0 or prefix not in ("f",) or "%" in raw or "{{" in raw:
        return None
    pieces = [c for c in literal.named_children if c.type == "interpolation"]
    if not pieces or any(not PY_SIMPLE_PIECE.match(_text(p)) for p in pieces):
        return None
    style = _placeholder(ctx)
    if style is None:
        return None
    body = raw[quote_at:]
    names: list[str] = []

    def to_placeholder(match: re.Match[str]) -> str:
        names.append(match.group(2))
        return style

    new_body = PY_FIELD.sub(to_placeholder, body)
    if len(names) != len(pieces) or "{" in new_body:
        return None
    params = "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"
    return Fix(
        "Pass the values as query parameters",
        (TextEdit(ctx.span(literal), f"{new_body}, {params}"),),
    )
