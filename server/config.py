"""Settings for headless runs and the editor: the user's own file, then the repository's.

Layers, lowest first: defaults, the user's ``settings.json`` in the user config directory,
then ``.tactful/settings.json`` of the repository (or an explicit ``--config`` file, which
replaces it).

The repository's file is written by whoever wrote the branch under review, so it is not
trusted by default: it may not choose the LLM endpoint or key (the user's key would be
sent there with the code), nor put the feedback log, the cache or the LSP log outside the
repository. Such values are dropped and each drop is reported, unless the user trusts the
repository (``tactful trust``, ``--trust-repo-settings`` or ``TACTFUL_TRUST_REPO=1``).
The user's own file and an explicit ``--config`` are the user's choice and fully honoured.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from tactful.server.settings import Settings, settings_from_dict

log = logging.getLogger(__name__)

TRUST_ENV = "TACTFUL_TRUST_REPO"
CONFIG_DIR_ENV = "TACTFUL_CONFIG_DIR"
TRUST_FILE = "trusted-repositories.json"

# (section, key) a repository may not set: they decide where the code and the key go.
ENDPOINT_KEYS: tuple[tuple[str, str], ...] = (("llm", "baseUrl"), ("llm", "apiKey"))
# (section, key) of paths a repository may set only inside itself; "" is the top level.
PATH_KEYS: tuple[tuple[str, str], ...] = (
    ("feedback", "dbPath"),
    ("lsp", "logFile"),
    ("", "cacheDir"),
)


def config_dir() -> Path:
    """The user's config directory (settings, trusted repositories); ``TACTFUL_CONFIG_DIR`` overrides."""
    env = os.environ.get(CONFIG_DIR_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("tactful"))


def trusted_repositories() -> list[str]:
    """Real paths of the repositories the user trusts, from the user's config directory."""
    path = config_dir() / TRUST_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("%s: ignored, not readable JSON: %s", path, exc)
        return []
    repos = data.get("repositories") if isinstance(data, dict) else None
    return [r for r in repos if isinstance(r, str)] if isinstance(repos, list) else []


def set_trusted(root: Path, trusted: bool) -> Path:
    """Add (or remove) ``root``'s real path to the user's trusted repositories; the file written."""
    real = os.path.realpath(root)
    repos = [r for r in trusted_repositories() if r != real]
    if trusted:
        repos.append(real)
    path = config_dir() / TRUST_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a crash never leaves a half-written trust file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".trust-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"repositories": sorted(repos)}, out, indent=2)
        out.write("\n")
    os.replace(tmp, path)
    return path


def is_trusted(root: Path, flag: bool = False) -> bool:
    """Whether ``root``'s own settings may choose the endpoint and paths outside it."""
    if flag or os.environ.get(TRUST_ENV, "").strip().lower() in ("1", "true", "yes"):
        return True
    return os.path.realpath(root) in trusted_repositories()


def _inside(path: Path, root: Path) -> bool:
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def screen_repository_settings(data: Any, root: Path) -> tuple[Any, list[str]]:
    """``data`` without what an untrusted repository may not choose, and one note per drop.

    Paths inside the repository are kept, made absolute against the repository root (a
    relative path would otherwise depend on the current directory).
    """
    if not isinstance(data, dict):
        return data, []
    screened: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    notes: list[str] = []
    hint = "trust the repository with `tactful trust` to allow it"
    for section, key in ENDPOINT_KEYS:
        values = screened.get(section)
        if isinstance(values, dict) and key in values:
            del values[key]
            notes.append(
                f"repository setting {section}.{key} ignored: it would choose where the code and key are sent; {hint}"
            )
    for section, key in PATH_KEYS:
        values = screened.get(section) if section else screened
        if not isinstance(values, dict) or not isinstance(values.get(key), str) or not values[key]:
            continue
        name = f"{section}.{key}" if section else key
        target = Path(values[key]).expanduser()
        target = target if target.is_absolute() else root / target
        if _inside(target, root):
            values[key] = str(target)
        else:
            del values[key]
            notes.append(
                f"repository setting {name} ignored: it points outside the repository; {hint}"
            )
    return screened, notes


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("%s: ignored, not valid JSON: %s", path, exc)
        return None


def _apply(data: Any, base: Settings, path: Path) -> Settings:
    settings, errors = settings_from_dict(data, base)
    for error in errors:
        log.warning("%s: %s (default kept)", path, error)
    return settings


def load_settings_noted(
    root: Path | None, config: str | None = None, *, trust: bool = False
) -> tuple[Settings, list[str]]:
    """The settings, and one note per repository setting that was ignored (also logged)."""
    settings = Settings()
    user_file = config_dir() / "settings.json"
    if user_file.is_file():
        settings = _apply(_read_json(user_file), settings, user_file)
    if config:
        path = Path(config)
        if not path.is_file():
            raise ValueError(f"settings file {config} does not exist")
        return _apply(_read_json(path), settings, path), []
    if root is None:
        return settings, []
    repo_file = root / ".tactful" / "settings.json"
    if not repo_file.is_file():
        return settings, []
    data = _read_json(repo_file)
    notes: list[str] = []
    if not is_trusted(root, trust):
        data, notes = screen_repository_settings(data, root)
        for note in notes:
            log.warning("%s: %s", repo_file, note)
    return _apply(data, settings, repo_file), notes


def load_settings(root: Path | None, config: str | None = None, *, trust: bool = False) -> Settings:
    """Read camelCase settings JSON; an invalid file or value is reported on stderr and skipped."""
    return load_settings_noted(root, config, trust=trust)[0]
