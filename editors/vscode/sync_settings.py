"""Regenerate ``contributes.configuration`` in package.json from tactful's settings schema.

Run ``python editors/vscode/sync_settings.py`` after changing ``server/settings.py``;
``tests/test_lsp_units.py`` fails while the two disagree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tactful.server.settings import json_schema

PACKAGE = Path(__file__).with_name("package.json")

EXTENSION_ONLY = {
    "tactful.server.command": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["tactful", "lsp"],
        "description": "Command that starts the language server (the extension's own setting).",
    },
}


def configuration() -> dict[str, Any]:
    properties = {}
    for key, entry in json_schema()["properties"].items():
        section = key.split(".")[1] if key.count(".") > 1 else "general"
        properties[key] = {
            **entry,
            "description": f"tactful {section} setting `{key.split('.', 1)[1]}` (see server/settings.py).",
        }
    return {"title": "tactful", "properties": {**properties, **EXTENSION_ONLY}}


def main() -> None:
    package = json.loads(PACKAGE.read_text("utf-8"))
    package["contributes"]["configuration"] = configuration()
    PACKAGE.write_text(json.dumps(package, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
