"""Names of built-in string, list, map and promise methods, across the indexed languages."""

from __future__ import annotations

# fmt: off
BUILTIN_METHODS = frozenset([
    "get", "set", "add", "append", "extend", "insert", "pop", "push",
    "remove", "clear", "copy", "update", "items", "keys", "values", "join",
    "split", "strip", "format", "replace", "startswith", "endswith", "lower", "upper",
    "encode", "decode", "read", "write", "close", "open", "sort", "map",
    "filter", "reduce", "forEach", "then", "catch", "finally", "apply", "call",
    "bind", "toString", "equals", "hashCode", "length", "size", "put", "contains",
    "indexOf", "slice", "splice", "concat", "find", "has", "delete", "next",
    "iter", "len", "append_child", "unwrap", "expect", "clone", "to_string", "into",
    "match", "test", "exec", "search", "resolve", "reject", "some", "every",
    "includes", "trim",
])
# fmt: on
"""A call on a receiver of unknown type with one of these names is far likelier to be the
built-in than a same-named repository method."""
