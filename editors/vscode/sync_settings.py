"""Regenerate what is written from tactful's settings: package.json and README's table.

``contributes.configuration`` in package.json and the block between ``<!-- settings:begin -->``
and ``<!-- settings:end -->`` in README.md. Types and defaults come from
:func:`tactful.server.settings.json_schema`, the descriptions from the settings' attribute
docstrings in ``server/settings.py``. Run ``python editors/vscode/sync_settings.py`` after
changing that file; ``tests/test_vscode.py`` fails while either disagrees.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tactful.server.settings import json_schema
from tactful.server.settings_docs import markdown_table, setting_docs

PACKAGE = Path(__file__).with_name("package.json")
README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"

SECRET = {"tactful.llm.apiKey"}
"""Server settings VS Code never shows: the key lives in SecretStorage (command "tactful: Set
the LLM API key") and reaches the server as ``OPENAI_API_KEY``."""

EXTENSION_ONLY: dict[str, Any] = {
    "tactful.server.path": {
        "type": "string",
        "default": "",
        "scope": "machine-overridable",
        "markdownDescription": (
            "The `tactful` executable, or a Python interpreter that has tactful installed (run as"
            " `python -m tactful.server`). Empty: the Python extension's selected interpreter,"
            " then `tactful` on `PATH`. The extension's own setting; not sent to the server."
        ),
    },
}


def configuration() -> dict[str, Any]:
    """The ``contributes.configuration`` object package.json must have."""
    docs = setting_docs()
    properties: dict[str, Any] = {}
    for key, entry in json_schema()["properties"].items():
        if key in SECRET:
            continue
        properties[key] = {**entry, "markdownDescription": docs[key]}
    return {"title": "tactful", "properties": {**properties, **EXTENSION_ONLY}}


def readme_with_table(readme: str) -> str:
    """``readme`` with the marked block replaced by the current settings table."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"README.md: no {BEGIN} ... {END} block")
    return readme[: start + len(BEGIN)] + "\n" + markdown_table() + readme[end:]


def main() -> None:
    package = json.loads(PACKAGE.read_text("utf-8"))
    package["contributes"]["configuration"] = configuration()
    PACKAGE.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", "utf-8")
    README.write_text(readme_with_table(README.read_text("utf-8")), "utf-8")


if __name__ == "__main__":
    main()
