"""Typed settings shared by the CLI and the LSP server.

One tree of frozen dataclasses. Editors send camelCase JSON (``initializationOptions`` and
``workspace/didChangeConfiguration``); :func:`settings_from_dict` converts it with cattrs
and reports every invalid value instead of raising, so the caller can warn once and keep
the defaults. The VS Code extension's ``contributes.configuration`` is tested against
:func:`json_schema`.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override


@dataclass(frozen=True, kw_only=True)
class ReviewSettings:
    max_file_bytes: int = 1_000_000
    """Files larger than this are skipped (reason ``too-large``)."""
    max_file_lines: int = 20_000
    """Files with more lines than this are skipped (reason ``too-large``)."""
    exclude: tuple[str, ...] = ()
    """Glob patterns (fnmatch, against repository-relative paths) never reviewed."""
    disabled_rules: tuple[str, ...] = ()
    """Rule ids of deterministic checks to turn off."""
    call_graph: bool = True
    """Add callers and callees of each changed unit (builds a repository index)."""


REVIEW_VERSIONS = ("review.v1", "review.v2")
"""The review prompt templates one can choose (``llm.promptVersion``)."""


@dataclass(frozen=True, kw_only=True)
class LlmSettings:
    base_url: str = ""
    """OpenAI-compatible endpoint; empty means ``OPENAI_BASE_URL`` or no LLM reviewer."""
    api_key: str = ""
    """Empty means ``OPENAI_API_KEY``."""
    model: str = ""
    """Empty means ``TACTFUL_MODEL``."""
    timeout_s: float = 60.0
    """Wall-clock limit of one request attempt (a slow-drip reply counts as a timeout)."""
    deadline_s: float = 45.0
    """Wall-clock limit of the model's part of one review; units still unanswered then are
    listed as not reviewed by the model, and the offline findings are delivered regardless."""
    max_concurrency: int = 4
    """Requests to the endpoint in flight at once."""
    max_retries: int = 2
    """Retries of a failed or rate-limited request (with backoff) before its units are given up."""
    token_budget: int = 60_000
    """Prompt plus completion tokens one review may spend."""
    context_tokens: int = 3_000
    """Token budget of the call-graph context per change unit."""
    critique: bool = False
    """Run a second pass that scores each finding 0-10 (a gate feature, not a filter)."""
    enabled: bool = True
    """Use the LLM reviewer when an endpoint is configured (false: deterministic checks only)."""
    prompt_version: str = "review.v1"
    """Review prompt template in server/prompts: ``review.v1`` (new version and removed lines)
    or ``review.v2`` (old and new version side by side, targeted defect questions; not yet
    measured against v1 on a real model, so not the default)."""
    max_prompt_tokens: int = 1_500
    """Cap (estimated) on one unit's review prompt: code windows and context shrink to fit;
    0 means no cap."""

    def __post_init__(self) -> None:
        if self.prompt_version not in REVIEW_VERSIONS:
            raise ValueError(
                f"llm.promptVersion must be one of {', '.join(REVIEW_VERSIONS)}, got {self.prompt_version!r}"
            )
        if self.max_prompt_tokens < 0:
            raise ValueError(f"llm.maxPromptTokens must be >= 0, got {self.max_prompt_tokens}")


@dataclass(frozen=True, kw_only=True)
class GateSettings:
    enabled: bool = True
    """Let the learned display gate hide suggestions you are unlikely to act on."""
    target_precision: float = 0.5
    """Show a suggestion when the predicted chance that you act on it reaches this."""
    exploration: float = 0.05
    """Share of would-be-hidden suggestions shown anyway, with their propensity logged."""
    hide_precision: float = 0.95
    """Hide only where, by your logged verdicts (inverse-propensity weighted, lower confidence
    bound), at least this share of hidden suggestions would have been rejected (CDHF)."""

    def __post_init__(self) -> None:
        if not 0.5 <= self.hide_precision < 1.0:
            raise ValueError(f"gate.hidePrecision must be in [0.5, 1), got {self.hide_precision}")


@dataclass(frozen=True, kw_only=True)
class FeedbackSettings:
    db_path: str = ""
    """SQLite file of the feedback log; empty means the user data directory."""
    user: str = ""
    """User id (hashed before storage); empty means the git ``user.email``."""
    team: str = ""
    """Team id (hashed before storage)."""


@dataclass(frozen=True, kw_only=True)
class LspSettings:
    debounce_ms: int = 300
    """Wait this long after the last edit before reviewing (0 reviews at once)."""
    base: str = "HEAD"
    """Revision the buffer is compared with."""
    merge_base_with: str = ""
    """If set (e.g. ``origin/main``), compare with the merge-base of HEAD and this branch."""
    severity_map: dict[str, str] = field(default_factory=dict)
    """Map tactful severities (info, warning, error) to LSP ones (hint, information, warning, error)."""
    log_file: str = ""
    """Also write the server's log to this file (empty: only the editor's output panel)."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    review: ReviewSettings = field(default_factory=ReviewSettings)
    llm: LlmSettings = field(default_factory=LlmSettings)
    gate: GateSettings = field(default_factory=GateSettings)
    feedback: FeedbackSettings = field(default_factory=FeedbackSettings)
    lsp: LspSettings = field(default_factory=LspSettings)
    cache_dir: str = ""
    """Where caches live; empty means the user cache directory."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)
    for cls in (ReviewSettings, LlmSettings, GateSettings, FeedbackSettings, LspSettings, Settings):
        overrides: dict[str, Any] = {
            f.name: override(rename=_camel(f.name)) for f in dataclasses.fields(cls)
        }
        converter.register_structure_hook(
            cls, make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True, **overrides)
        )
        converter.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, converter, **overrides)
        )
    return converter


CONVERTER = _make_converter()


def settings_from_dict(
    data: dict[str, Any] | None, base: Settings | None = None
) -> tuple[Settings, list[str]]:
    """Settings from camelCase JSON; invalid sections fall back to ``base`` (or defaults).

    Returns the settings and one message per invalid section, naming the bad key.
    """
    base = base or Settings()
    if not data:
        return base, []
    if not isinstance(data, dict):
        return base, [f"tactful settings must be an object, got {type(data).__name__}"]
    errors: list[str] = []
    values: dict[str, Any] = {}
    known = {_camel(f.name): f for f in dataclasses.fields(Settings)}
    for key, value in data.items():
        f = known.get(key)
        if f is None:
            errors.append(f"unknown tactful setting {key!r}")
            continue
        current = getattr(base, f.name)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                errors.append(f"tactful setting {key!r} must be an object")
                continue
            merged = {**CONVERTER.unstructure(current), **value}
            try:
                values[f.name] = CONVERTER.structure(merged, type(current))
            except Exception as exc:  # cattrs raises grouped validation errors
                errors.append(f"invalid tactful setting {key!r}: {_describe(exc)}")
        else:
            if not isinstance(value, str):
                errors.append(f"tactful setting {key!r} must be a string")
                continue
            values[f.name] = value
    return dataclasses.replace(base, **values), errors


def _describe(exc: BaseException) -> str:
    if isinstance(exc, cattrs.ClassValidationError):
        return "; ".join(cattrs.transform_error(exc, format_exception=_format_exception))
    return str(exc)


def _format_exception(exc: BaseException, type_: type | None) -> str:
    # A section's own check (``__post_init__``) already names the key and the allowed values.
    if type(exc) is ValueError and exc.args and "." in str(exc).split(" ", 1)[0]:
        return str(exc)
    return cattrs.v.format_exception(exc, type_)


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    return typing.cast(dict[str, Any], CONVERTER.unstructure(settings))


def resolve_llm(settings: LlmSettings) -> LlmSettings:
    """Fill empty endpoint fields from ``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, ``TACTFUL_MODEL``."""
    return dataclasses.replace(
        settings,
        base_url=settings.base_url or os.environ.get("OPENAI_BASE_URL", ""),
        api_key=settings.api_key or os.environ.get("OPENAI_API_KEY", ""),
        model=settings.model or os.environ.get("TACTFUL_MODEL", ""),
    )


LLM_OFF_NOTE = "LLM reviewer off: no endpoint configured (set OPENAI_BASE_URL or llm.baseUrl)"
LLM_DISABLED_NOTE = "LLM reviewer off: disabled in settings (llm.enabled)"


def llm_off_reason(settings: Settings) -> str:
    """The note explaining why the LLM reviewer does not run, or ``""`` when it does.

    Lives here, not in ``server/llm``, so deciding costs no import of the openai SDK.
    """
    if not settings.llm.enabled:
        return LLM_DISABLED_NOTE
    return "" if resolve_llm(settings.llm).base_url else LLM_OFF_NOTE


def cache_dir(settings: Settings) -> Path:
    """The cache root: the setting, ``TACTFUL_CACHE_DIR``, or the user cache directory."""
    if settings.cache_dir:
        return Path(settings.cache_dir)
    env = os.environ.get("TACTFUL_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("tactful"))


def data_dir() -> Path:
    """The user data directory (feedback log, learned gate state); ``TACTFUL_DATA_DIR`` overrides."""
    env = os.environ.get("TACTFUL_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("tactful"))


_JSON_TYPES = {int: "integer", float: "number", str: "string", bool: "boolean"}


def json_schema() -> dict[str, Any]:
    """Flat JSON schema of every setting, keyed ``tactful.section.key`` (VS Code style)."""
    props: dict[str, Any] = {}
    defaults = Settings()
    for section in dataclasses.fields(Settings):
        value = getattr(defaults, section.name)
        if not dataclasses.is_dataclass(value):
            props[f"tactful.{_camel(section.name)}"] = {"type": "string", "default": value}
            continue
        hints = typing.get_type_hints(type(value))
        for f in dataclasses.fields(value):
            hint = hints[f.name]
            default = getattr(value, f.name)
            origin = typing.get_origin(hint)
            if origin is tuple:
                entry: dict[str, Any] = {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": list(default),
                }
            elif origin is dict:
                entry = {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "default": dict(default),
                }
            else:
                entry = {"type": _JSON_TYPES[hint], "default": default}
            props[f"tactful.{_camel(section.name)}.{_camel(f.name)}"] = entry
    return {"type": "object", "properties": props}
