"""The editor's settings: the repository's file, then what the client sends.

Layers, lowest first: defaults, the user's and the repository's settings files (the ones
the CLI reads, so both review the same way: :mod:`tactful.server.config`), then ``initializationOptions`` and later
``workspace/didChangeConfiguration`` (or ``workspace/configuration`` when the client
sends an empty notification, as VS Code and Neovim do). The client may send the settings
object itself or wrap it as ``{"tactful": {...}}``. Invalid values are collected into one
message; each bad key keeps its previous value and the valid ones apply.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from tactful.server.config import load_settings_noted
from tactful.server.settings import Settings, settings_from_dict

log = logging.getLogger(__name__)

SECTION = "tactful"


def unwrap(data: Any) -> Any:
    """The tactful settings object inside what a client sent."""
    if isinstance(data, dict) and isinstance(data.get(SECTION), dict):
        return data[SECTION]
    return data


def repository_settings(root: Path | None) -> tuple[Settings, list[str]]:
    """Settings from the user's and the workspace's files, and one line per problem in them."""
    try:
        return load_settings_noted(root)
    except (OSError, ValueError) as exc:
        return Settings(), [f"{root}: {exc}"]


def client_settings(data: Any, base: Settings) -> tuple[Settings, list[str]]:
    """``base`` overridden by the client's settings; problems as one line each."""
    data = unwrap(data)
    if data is None or data == {}:
        return base, []
    return settings_from_dict(data, base)


def summary(errors: list[str]) -> str:
    """The one message shown for a batch of invalid settings (each says what was kept)."""
    head = f"tactful: {len(errors)} invalid setting(s), the others apply: "
    return head + "; ".join(errors)
