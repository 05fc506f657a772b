"""The attribute docstrings of the settings dataclasses, as text for editors and docs.

``server/settings.py`` documents each setting with the string literal under it (PEP 257
attribute docstrings). Python keeps no trace of those at run time, so they are read from the
source with :mod:`ast`. Used by ``editors/vscode/sync_settings.py`` for the descriptions in
VS Code's settings UI and for the settings table in README.md (:func:`markdown_table`).
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import textwrap
from typing import Any

from tactful.server.settings import Settings, json_schema
from tactful.server.settings_check import camel as _camel

_RST_LITERAL = re.compile(r"``([^`]+)``")


def attribute_docs(cls: type) -> dict[str, str]:
    """``{field name: docstring}`` of the dataclass ``cls`` (fields without one are absent)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for node, following in zip(body, body[1:], strict=False):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


def as_markdown(doc: str) -> str:
    """One paragraph of Markdown from a docstring: reST ````code```` becomes `` `code` ``."""
    return _RST_LITERAL.sub(r"`\1`", " ".join(doc.split()))


def setting_docs() -> dict[str, str]:
    """Markdown description of every setting, keyed like :func:`~tactful.server.settings.json_schema`."""
    out: dict[str, str] = {}
    top = attribute_docs(Settings)
    for section in dataclasses.fields(Settings):
        default = section.default_factory() if callable(section.default_factory) else None
        if not dataclasses.is_dataclass(default):
            if section.name in top:
                out[f"tactful.{_camel(section.name)}"] = as_markdown(top[section.name])
            continue
        for name, doc in attribute_docs(type(default)).items():
            out[f"tactful.{_camel(section.name)}.{_camel(name)}"] = as_markdown(doc)
    return out


def _type_name(entry: dict[str, Any]) -> str:
    if entry["type"] == "array":
        return "list of strings"
    if entry["type"] == "object":
        return "object of strings"
    return str(entry["type"])


def _cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell."""
    return text.replace("|", "\\|")


def _ranges() -> dict[str, str]:
    """``{key: "≥ 0"}`` for each setting declared with :func:`~tactful.server.settings_check.bounded`."""
    out: dict[str, str] = {}
    for section in dataclasses.fields(Settings):
        default = section.default_factory() if callable(section.default_factory) else None
        if not dataclasses.is_dataclass(default):
            continue
        for f in dataclasses.fields(default):
            bounds = f.metadata.get("bounds")
            if bounds is None:
                continue
            parts = []
            if bounds.low is not None:
                parts.append(f"≥ {bounds.low:g}")
            if bounds.high is not None:
                parts.append(f"{'<' if bounds.high_open else '≤'} {bounds.high:g}")
            out[f"tactful.{_camel(section.name)}.{_camel(f.name)}"] = ", ".join(parts)
    return out


def markdown_table() -> str:
    """Every setting as a Markdown table: key as users write it, type (and range), default,
    description."""
    docs = setting_docs()
    ranges = _ranges()
    rows = ["| key | type | default | description |", "| --- | --- | --- | --- |"]
    for key, entry in json_schema()["properties"].items():
        default = json.dumps(entry["default"], ensure_ascii=False)
        kind = _type_name(entry) + (f", {ranges[key]}" if ranges.get(key) else "")
        rows.append(
            f"| `{key.removeprefix('tactful.')}` | {kind} | `{_cell(default)}` "
            f"| {_cell(docs[key])} |"
        )
    return "\n".join(rows) + "\n"
