"""Typed settings shared by the CLI and the LSP server.

One tree of frozen dataclasses. Editors send camelCase JSON (``initializationOptions`` and
``workspace/didChangeConfiguration``), ``pyproject.toml`` may use snake_case;
:func:`settings_from_dict` takes either, checks every key on its own (strict types, ranges,
known rule ids: :mod:`tactful.server.settings_check`) and reports each bad key in one line
instead of raising, keeping the valid keys and the previous value of the bad ones. The VS
Code extension's ``contributes.configuration`` is tested against :func:`json_schema`.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tactful.server.settings_check import (
    bounded,
    camel,
    check_rule_list,
    check_rule_severities,
    check_severity_map,
    checked,
    section_from_dict,
)

if TYPE_CHECKING:
    import cattrs


@dataclass(frozen=True, kw_only=True)
class ReviewSettings:
    max_file_bytes: int = bounded(1_000_000, low=0)
    """Files larger than this are skipped (reason ``too-large``)."""
    max_file_lines: int = bounded(20_000, low=0)
    """Files with more lines than this are skipped (reason ``too-large``)."""
    exclude: tuple[str, ...] = ()
    """Glob patterns (fnmatch, against repository-relative paths) never reviewed."""
    disabled_rules: tuple[str, ...] = checked(check_rule_list, default=())
    """Rule ids (or globs such as ``generic.*``) to turn off; ``tactful rules`` lists them."""
    rule_severity: dict[str, str] = checked(check_rule_severities, factory=dict)
    """Severity per rule id or glob (``info``, ``warning``, ``error``), replacing the rule's default."""
    call_graph: bool = True
    """Add callers and callees of each changed unit (builds a repository index)."""
    untracked: bool = True
    """Review untracked files that git does not ignore as added files (working-tree reviews
    and the editor); ``tactful review --no-untracked`` turns it off for one run."""
    max_untracked_files: int = bounded(200, low=0)
    """At most this many untracked files are reviewed in one working-tree review; the rest
    are listed as skipped (reason ``untracked``)."""


REVIEW_VERSIONS = ("review.v1", "review.v2")


def _check_prompt_version(value: str) -> tuple[str | None, list[str]]:
    if value in REVIEW_VERSIONS:
        return value, []
    return None, [f"expected one of {', '.join(REVIEW_VERSIONS)}, got {value!r}"]


"""The review prompt templates one can choose (``llm.promptVersion``)."""


@dataclass(frozen=True, kw_only=True)
class LlmSettings:
    base_url: str = ""
    """OpenAI-compatible endpoint; empty means ``OPENAI_BASE_URL`` or no LLM reviewer."""
    api_key: str = ""
    """Empty means ``OPENAI_API_KEY``."""
    model: str = ""
    """Empty means ``TACTFUL_MODEL``."""
    timeout_s: float = bounded(60.0, low=0)
    """Wall-clock limit of one request attempt (a slow-drip reply counts as a timeout)."""
    deadline_s: float = bounded(45.0, low=0)
    """Wall-clock limit of the model's part of one review; units still unanswered then are
    listed as not reviewed by the model, and the offline findings are delivered regardless."""
    max_concurrency: int = bounded(4, low=1)
    """Requests to the endpoint in flight at once."""
    max_retries: int = bounded(2, low=0)
    """Retries of a failed or rate-limited request (with backoff) before its units are given up."""
    token_budget: int = bounded(60_000, low=0)
    """Prompt plus completion tokens one review may spend."""
    context_tokens: int = bounded(3_000, low=0)
    """Token budget of the call-graph context per change unit."""
    critique: bool = False
    """Run a second pass that scores each finding 0-10 (a gate feature, not a filter)."""
    samples: int = bounded(1, low=1, high=8)
    """Ask the model this many times per unit (self-consistency: greedy, then seeded samples)
    and keep the findings at least two samples agree on (same category, within 2 lines); the
    agreeing share is a display-gate feature. Each extra sample costs its generated tokens."""
    enabled: bool = True
    """Use the LLM reviewer when an endpoint is configured (false: deterministic checks only)."""
    prompt_version: str = checked(_check_prompt_version, default="review.v2")
    """Review prompt template in server/prompts: ``review.v2`` (old and new version side by
    side, targeted defect questions; each finding must name its question) or ``review.v1``
    (new version and removed lines). Measured on Qwen2.5-Coder-1.5B (bench/corpus/llm_results.md):
    as many planted defects explained as v1, and 1 wrong finding on 25 real-diff units where
    v1 showed 13."""
    max_prompt_tokens: int = bounded(1_500, low=0)
    """Cap (estimated) on one unit's review prompt: code windows and context shrink to fit;
    0 means no cap."""


@dataclass(frozen=True, kw_only=True)
class GateSettings:
    enabled: bool = True
    """Let the learned display gate hide suggestions you would likely not act on."""
    target_precision: float = bounded(0.5, low=0.0, high=1.0)
    """Show a suggestion when the predicted chance that you act on it reaches this."""
    exploration: float = bounded(0.05, low=0.0, high=1.0)
    """Share of would-be-hidden suggestions shown anyway, with their propensity logged."""
    hide_precision: float = bounded(0.95, low=0.5, high=1.0, high_open=True)
    """Hide only where, by your logged verdicts (inverse-propensity weighted, lower confidence
    bound), at least this share of hidden suggestions would have been rejected (CDHF)."""
    llm_min_strength: float = bounded(0.5, low=0.0, high=1.0)
    """Until you have judged ``gate.llmPriorVerdicts`` LLM findings, show one only when its own
    signals (agreement across ``llm.samples``, critique score, a fix that validated,
    confidence) give it at least this strength; 0 shows them all (a strong hosted model)."""
    llm_prior_verdicts: int = bounded(10, low=0)
    """Verdicts on LLM findings after which the learned gate decides on them as on any finding."""


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
    debounce_ms: int = bounded(300, low=0)
    """Wait this long after the last edit before reviewing (0 reviews at once)."""
    base: str = "HEAD"
    """Revision the buffer is compared with."""
    merge_base_with: str = ""
    """If set (e.g. ``origin/main``), compare with the merge-base of HEAD and this branch."""
    severity_map: dict[str, str] = checked(check_severity_map, factory=dict)
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


@functools.cache
def _converter() -> cattrs.Converter:
    """camelCase out (``settings_to_dict``); reading goes key by key through ``settings_check``.

    Built on first use: importing cattrs is ~15 ms of every start, and a review never needs it.
    """
    import cattrs
    from cattrs.gen import make_dict_unstructure_fn, override

    converter = cattrs.Converter()
    for cls in (ReviewSettings, LlmSettings, GateSettings, FeedbackSettings, LspSettings, Settings):
        overrides: dict[str, Any] = {
            f.name: override(rename=camel(f.name)) for f in dataclasses.fields(cls)
        }
        converter.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, converter, **overrides)
        )
    return converter


def settings_from_dict(
    data: dict[str, Any] | None, base: Settings | None = None
) -> tuple[Settings, list[str]]:
    """Settings from JSON (camelCase or snake_case keys) applied over ``base`` (or defaults).

    Returns the settings and one message per bad key (naming the key as written, its value
    and what was expected); a bad key keeps its value from ``base``, the others apply.
    """
    base = base or Settings()
    if not data:
        return base, []
    if not isinstance(data, dict):
        return base, [f"tactful settings must be an object, got {type(data).__name__}"]
    errors: list[str] = []
    values: dict[str, Any] = {}
    known = {camel(f.name): f for f in dataclasses.fields(Settings)}
    known |= {f.name: f for f in dataclasses.fields(Settings)}
    for key, value in data.items():
        f = known.get(key)
        if f is None:
            errors.append(f"unknown tactful setting {key}")
            continue
        current = getattr(base, f.name)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                errors.append(
                    f"tactful setting {key}: expected an object of settings, got {type(value).__name__}"
                )
                continue
            values[f.name], problems = section_from_dict(key, value, current)
            errors.extend(problems)
        elif not isinstance(value, str):
            errors.append(f"tactful setting {key}: expected a string, got {type(value).__name__}")
        else:
            values[f.name] = value
    return dataclasses.replace(base, **values), errors


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    return typing.cast(dict[str, Any], _converter().unstructure(settings))


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
            props[f"tactful.{camel(section.name)}"] = {"type": "string", "default": value}
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
            props[f"tactful.{camel(section.name)}.{camel(f.name)}"] = entry
    return {"type": "object", "properties": props}
