"""The attribute docstrings of the settings dataclasses, as text for editors and docs.

``server/settings.py`` documents each setting with the string literal under it (PEP 257
attribute docstrings). Python keeps no trace of those at run time, so they are read from the
source with :mod:`ast`. Used by ``editors/vscode/sync_settings.py`` for the descriptions in
VS Code's settings UI.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import textwrap

from tactful.server.settings import Settings
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
