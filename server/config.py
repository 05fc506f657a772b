"""Settings for headless runs and the editor: the user's own file, then the repository's.

Layers, lowest first: defaults, the user's ``settings.json`` in the user config directory,
then the repository's ``[tool.tactful]`` table in ``pyproject.toml``, then its
``.tactful/settings.json`` (the dedicated file wins where both set a key). An explicit
``--config`` file (JSON, or TOML with the same table) replaces both repository files. All
take the same schema, with camelCase or snake_case keys.

The repository's files are written by whoever wrote the branch under review, so they are
not trusted by default: they may not choose the LLM endpoint or key (the user's key would
be sent there with the code), nor put the feedback log, the cache or the LSP log outside
the repository. Such values are dropped and each drop is reported, unless the user trusts
the repository (``tactful trust``, ``--trust-repo-settings`` or ``TACTFUL_TRUST_REPO=1``).
The user's own file and an explicit ``--config`` are the user's choice and fully honoured.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from tactful.server.settings import Settings, settings_from_dict
from tactful.server.settings_check import camel

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, before it joined the standard library
    import tomli as tomllib

log = logging.getLogger(__name__)

TRUST_ENV = "TACTFUL_TRUST_REPO"
CONFIG_DIR_ENV = "TACTFUL_CONFIG_DIR"
TRUST_FILE = "trusted-repositories.json"

REPOSITORY_FILES = ("pyproject.toml", ".tactful/settings.json")
"""The repository's settings files, lowest layer first."""
TOML_TABLE = ("tool", "tactful")

# (section, field) a repository may not set: they decide where the code and the key go.
# Field names in snake_case; the screen matches both spellings a file may use.
ENDPOINT_KEYS: tuple[tuple[str, str], ...] = (("llm", "base_url"), ("llm", "api_key"))
# (section, field) of paths a repository may set only inside itself; "" is the top level.
PATH_KEYS: tuple[tuple[str, str], ...] = (
    ("feedback", "db_path"),
    ("lsp", "log_file"),
    ("", "cache_dir"),
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


def _spellings(values: dict[str, Any], name: str) -> list[str]:
    """The keys of ``values`` that name the field ``name`` (snake_case or camelCase)."""
    return [key for key in values if key in (name, camel(name))]


def screen_repository_settings(
    data: Any, root: Path, source: str = ".tactful/settings.json"
) -> tuple[Any, list[str]]:
    """``data`` without what an untrusted repository may not choose, and one note per drop.

    Paths inside the repository are kept, made absolute against the repository root (a
    relative path would otherwise depend on the current directory). ``source`` names the
    file in the notes.
    """
    if not isinstance(data, dict):
        return data, []
    screened: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    notes: list[str] = []
    hint = "trust the repository with `tactful trust` to allow it"
    for section, name in ENDPOINT_KEYS:
        values = screened.get(section)
        if not isinstance(values, dict):
            continue
        for key in _spellings(values, name):
            del values[key]
            notes.append(
                f"repository setting {section}.{key} ignored ({source}): it would choose where"
                f" the code and key are sent; {hint}"
            )
    for section, name in PATH_KEYS:
        values = screened.get(section) if section else screened
        if not isinstance(values, dict):
            continue
        for key in _spellings(values, name):
            if not isinstance(values[key], str) or not values[key]:
                continue  # not a path: validation reports it
            target = Path(values[key]).expanduser()
            target = target if target.is_absolute() else root / target
            if _inside(target, root):
                values[key] = str(target)
                continue
            del values[key]
            shown = f"{section}.{key}" if section else key
            notes.append(
                f"repository setting {shown} ignored ({source}): it points outside the"
                f" repository; {hint}"
            )
    return screened, notes


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("%s: ignored, not valid JSON: %s", path, exc)
        return None


def _read_toml(path: Path, *, whole: bool = False) -> Any:
    """The ``[tool.tactful]`` table of a TOML file (or, with ``whole``, the file when it has
    none); None when absent or unreadable."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("%s: ignored, not readable: %s", path, exc)
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Someone else's broken pyproject.toml is not ours to report, unless it configures us.
        report = log.warning if whole or "tool.tactful" in text else log.debug
        report("%s: ignored, not valid TOML: %s", path, exc)
        return None
    table: Any = data
    for name in TOML_TABLE:
        table = table.get(name) if isinstance(table, dict) else None
    if table is None:
        return data if whole else None
    if not isinstance(table, dict):
        log.warning("%s: [tool.tactful] ignored, expected a table, got %s", path, _kind(table))
        return None
    return table


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}.get(
        type(value), type(value).__name__
    )


def _read(path: Path) -> Any:
    return (
        _read_toml(path, whole=path.name != "pyproject.toml")
        if path.suffix == ".toml"
        else _read_json(path)
    )


def _apply(data: Any, base: Settings, path: Path) -> tuple[Settings, list[str]]:
    """``base`` with the valid keys of ``data`` applied; one line per bad key, naming the file."""
    settings, errors = settings_from_dict(data, base)
    problems = [f"{path}: {error}" for error in errors]
    for problem in problems:
        log.warning("%s", problem)
    return settings, problems


def load_settings_noted(
    root: Path | None, config: str | None = None, *, trust: bool = False
) -> tuple[Settings, list[str]]:
    """The settings, and one note per setting that was ignored or invalid (also logged).

    Each note names the file; an invalid value keeps the layer below.
    """
    settings, notes = Settings(), list[str]()
    user_file = config_dir() / "settings.json"
    if user_file.is_file():
        settings, notes = _apply(_read_json(user_file), settings, user_file)
    if config:
        path = Path(config)
        if not path.is_file():
            raise ValueError(f"settings file {config} does not exist")
        settings, problems = _apply(_read(path), settings, path)
        return settings, notes + problems
    if root is None:
        return settings, notes
    trusted = is_trusted(root, trust)
    for name in REPOSITORY_FILES:
        path = root / name
        if not path.is_file():
            continue
        data = _read(path)
        if data is None:
            continue
        if not trusted:
            data, ignored = screen_repository_settings(data, root, name)
            for note in ignored:
                log.warning("%s", note)
            notes += ignored
        settings, problems = _apply(data, settings, path)
        notes += problems
    return settings, notes


def load_settings(root: Path | None, config: str | None = None, *, trust: bool = False) -> Settings:
    """The layered settings; an invalid file or value is reported on stderr and skipped."""
    return load_settings_noted(root, config, trust=trust)[0]
