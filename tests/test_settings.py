"""Typed settings: camelCase or snake_case in; each bad key one line, its previous value kept."""

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
        pytest.param(
            {"gate": {"targetPrecision": "high"}},
            'tactful setting gate.targetPrecision: expected a number from 0 to 1, got "high"; kept 0.5',
            id="string for a number",
        ),
        pytest.param(
            {"gate": {"targetPrecision": 5}},
            "tactful setting gate.targetPrecision: expected a number from 0 to 1, got 5; kept 0.5",
            id="out of range",
        ),
        pytest.param(
            {"llm": {"enabled": "false"}},
            'tactful setting llm.enabled: expected true or false, got "false"; kept true',
            id="string for a boolean",
        ),
        pytest.param(
            {"review": {"exclude": "vendor/*"}},
            'tactful setting review.exclude: expected a list of strings, got "vendor/*"; kept []',
            id="string for a list",
        ),
        pytest.param(
            {"lsp": {"debounceMs": True}},
            "tactful setting lsp.debounceMs: expected an integer at least 0, got true; kept 7",
            id="boolean for an integer",
        ),
        pytest.param(
            {"lsp": {"debounce_ms": -1}},
            "tactful setting lsp.debounce_ms: expected an integer at least 0, got -1; kept 7",
            id="snake_case key named as written",
        ),
        pytest.param(
            {"gate": {"hidePrecision": 1}},
            "tactful setting gate.hidePrecision: expected a number at least 0.5 and below 1, got 1; kept 0.95",
            id="open upper bound",
        ),
        pytest.param(
            {"gate": {"noSuchKey": 1}}, "unknown tactful setting gate.noSuchKey", id="unknown key"
        ),
        pytest.param(
            {"review": {"disabeldRules": []}},
            "unknown tactful setting review.disabeldRules (did you mean disabledRules?)",
            id="typo in a key",
        ),
        pytest.param({"nope": {}}, "unknown tactful setting nope", id="unknown section"),
        pytest.param(
            {"review": 3},
            "tactful setting review: expected an object of settings, got int",
            id="section not an object",
        ),
    ],
)
def test_each_bad_key_is_one_line_and_keeps_its_value(data, message) -> None:
    base, _ = settings_from_dict({"lsp": {"debounceMs": 7}})
    settings, errors = settings_from_dict(data, base)
    assert errors == [message]
    assert settings == base


def test_one_bad_value_keeps_the_rest_of_its_section() -> None:
    settings, errors = settings_from_dict(
        {
            "gate": {"targetPrecision": 5, "exploration": 0.2},
            "llm": {"enabled": "false", "model": "m"},
        }
    )
    assert len(errors) == 2
    assert (settings.gate.target_precision, settings.gate.exploration) == (0.5, 0.2)
    assert (settings.llm.enabled, settings.llm.model) == (True, "m")


def test_snake_case_and_camel_case_keys_both_work() -> None:
    snake, errors = settings_from_dict(
        {"review": {"disabled_rules": ["generic.*"], "call_graph": False}, "cache_dir": "/c"}
    )
    camel, more = settings_from_dict(
        {"review": {"disabledRules": ["generic.*"], "callGraph": False}, "cacheDir": "/c"}
    )
    assert errors == more == [] and snake == camel
    assert snake.review.disabled_rules == ("generic.*",) and snake.cache_dir == "/c"


def test_rule_ids_that_name_no_rule_are_reported_and_the_rest_apply() -> None:
    settings, errors = settings_from_dict(
        {
            "review": {
                "disabledRules": ["py.debug-prnt", "generic.*", "llm.style"],
                "ruleSeverity": {
                    "py.debug-print": "error",
                    "py.bare-except": "loud",
                    "x.y": "info",
                },
            }
        }
    )
    assert settings.review.disabled_rules == ("generic.*", "llm.style")
    assert settings.review.rule_severity == {"py.debug-print": "error"}
    assert errors == [
        'tactful setting review.disabledRules: "py.debug-prnt" matches no rule (did you mean py.debug-print?); ignored',
        'tactful setting review.ruleSeverity: "py.bare-except": expected one of info, warning, error, got "loud"; ignored',
        'tactful setting review.ruleSeverity: "x.y" matches no rule (`tactful rules` lists them); ignored',
    ]


def test_severity_map_keeps_its_valid_pairs() -> None:
    settings, errors = settings_from_dict(
        {"lsp": {"severityMap": {"info": "hint", "warning": "loud", "fatal": "error"}}}
    )
    assert settings.lsp.severity_map == {"info": "hint"}
    assert len(errors) == 2 and all(
        e.startswith("tactful setting lsp.severityMap: ") for e in errors
    )


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
