"""Typed settings: camelCase in, invalid values reported per section, defaults kept."""

from __future__ import annotations

import pytest
from tactful.server.settings import Settings, json_schema, resolve_llm, settings_from_dict


def test_camel_case_values_are_structured() -> None:
    settings, errors = settings_from_dict(
        {"llm": {"timeoutS": 5, "baseUrl": "http://127.0.0.1:1/v1"}, "lsp": {"debounceMs": 0}}
    )
    assert errors == []
    assert settings.llm.timeout_s == 5.0
    assert settings.llm.base_url == "http://127.0.0.1:1/v1"
    assert settings.lsp.debounce_ms == 0
    assert settings.gate == Settings().gate


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"gate": {"targetPrecision": "high"}}, "invalid tactful setting 'gate'"),
        ({"gate": {"noSuchKey": 1}}, "invalid tactful setting 'gate'"),
        ({"nope": {}}, "unknown tactful setting 'nope'"),
        ({"review": 3}, "tactful setting 'review' must be an object"),
    ],
)
def test_invalid_values_fall_back_to_defaults(data, message) -> None:
    base, _ = settings_from_dict({"lsp": {"debounceMs": 7}})
    settings, errors = settings_from_dict(data, base)
    assert len(errors) == 1 and errors[0].startswith(message)
    assert settings == base


def test_environment_fills_empty_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("TACTFUL_MODEL", "small")
    llm = resolve_llm(Settings().llm)
    assert (llm.base_url, llm.model) == ("http://127.0.0.1:9/v1", "small")


def test_schema_lists_every_setting_with_its_default() -> None:
    props = json_schema()["properties"]
    assert props["tactful.gate.targetPrecision"] == {"type": "number", "default": 0.5}
    assert props["tactful.review.exclude"]["type"] == "array"
    assert props["tactful.lsp.severityMap"]["type"] == "object"
