"""Settings for headless runs: defaults, then ``.tactful/settings.json`` (or ``--config``)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from tactful.server.settings import Settings, settings_from_dict

log = logging.getLogger(__name__)


def load_settings(root: Path | None, config: str | None = None) -> Settings:
    """Read camelCase settings JSON; an invalid file or value is reported on stderr and skipped."""
    path = Path(config) if config else (root / ".tactful" / "settings.json" if root else None)
    if path is None or not path.is_file():
        if config:
            raise ValueError(f"settings file {config} does not exist")
        return Settings()
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("%s: ignored, not valid JSON: %s", path, exc)
        return Settings()
    settings, errors = settings_from_dict(data)
    for error in errors:
        log.warning("%s: %s (default kept)", path, error)
    return settings
