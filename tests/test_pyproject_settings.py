"""``[tool.tactful]`` in pyproject.toml: the same schema and trust rules as .tactful/settings.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import GitRepo
from tactful.server.config import load_settings_noted

NONE_COMPARISON = "def f(x):\n    return x == None\n"


def _load(root: Path, monkeypatch: pytest.MonkeyPatch, **kwargs):
    monkeypatch.setenv("TACTFUL_CONFIG_DIR", str(root.parent / "config"))
    monkeypatch.delenv("TACTFUL_TRUST_REPO", raising=False)
    return load_settings_noted(root, **kwargs)


def test_snake_and_camel_case_tables_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n'
        "[tool.tactful.review]\n"
        'disabled_rules = ["generic.*"]\n'
        "maxFileLines = 50\n"
        "call_graph = false\n\n"
        "[tool.tactful.gate]\n"
        "targetPrecision = 0.7\n"
        "hide_precision = 0.9\n",
        "utf-8",
    )
    settings, notes = _load(tmp_path, monkeypatch)
    assert notes == []
    assert settings.review.disabled_rules == ("generic.*",)
    assert (settings.review.max_file_lines, settings.review.call_graph) == (50, False)
    assert (settings.gate.target_precision, settings.gate.hide_precision) == (0.7, 0.9)


def test_settings_json_overrides_pyproject_key_by_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.tactful.gate]\ntarget_precision = 0.7\nexploration = 0.2\n", "utf-8"
    )
    (tmp_path / ".tactful").mkdir()
    (tmp_path / ".tactful" / "settings.json").write_text(
        json.dumps({"gate": {"targetPrecision": 0.6}}), "utf-8"
    )
    settings, _ = _load(tmp_path, monkeypatch)
    assert (settings.gate.target_precision, settings.gate.exploration) == (0.6, 0.2)


def test_bad_values_name_the_file_and_key_and_keep_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        "[tool.tactful.gate]\ntarget_precision = 5\nexploration = 0.2\n"
        '[tool.tactful.review]\ncall_graph = "no"\nmax-file-lines = 10\n',
        "utf-8",
    )
    settings, notes = _load(tmp_path, monkeypatch)
    assert settings.gate.exploration == 0.2
    assert (settings.gate.target_precision, settings.review.call_graph) == (0.5, True)
    assert notes == [
        f"{pyproject}: tactful setting gate.target_precision: expected a number from 0 to 1,"
        " got 5; kept 0.5",
        f'{pyproject}: tactful setting review.call_graph: expected true or false, got "no";'
        " kept true",
        f"{pyproject}: unknown tactful setting review.max-file-lines"
        " (did you mean max_file_lines?)",
    ]


@pytest.mark.parametrize(
    ("text", "logged"),
    [
        pytest.param("[tool.tactful\nx = 1\n", "not valid TOML", id="broken-toml"),
        pytest.param('[tool]\ntactful = "on"\n', "expected a table, got a string", id="not-table"),
    ],
)
def test_unusable_table_is_one_line_and_defaults_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog, text: str, logged: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(text, "utf-8")
    settings, _ = _load(tmp_path, monkeypatch)
    assert settings.gate.target_precision == 0.5
    (record,) = caplog.records
    assert str(tmp_path / "pyproject.toml") in record.getMessage()
    assert logged in record.getMessage() and "\n" not in record.getMessage()


def test_someone_elses_broken_pyproject_is_not_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'x'\n", "utf-8")
    caplog.set_level("WARNING")
    _load(tmp_path, monkeypatch)
    assert caplog.records == []


@pytest.mark.parametrize("spelling", ["camel", "snake"])
@pytest.mark.parametrize("source", ["pyproject.toml", ".tactful/settings.json"])
def test_untrusted_repository_cannot_choose_endpoint_or_outside_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str, source: str
) -> None:
    """Either spelling of the key is screened (snake_case once slipped past a camelCase-only screen)."""

    def key(snake: str) -> str:
        head, *rest = snake.split("_")
        return snake if spelling == "snake" else head + "".join(w.title() for w in rest)

    root = tmp_path / "repo"
    (root / ".tactful").mkdir(parents=True)
    data = {
        "llm": {key("base_url"): "http://attacker.invalid/v1", key("api_key"): "theirs"},
        "feedback": {key("db_path"): str(tmp_path / "stolen.sqlite3")},
        "lsp": {key("log_file"): "logs/lsp.log"},
        key("cache_dir"): "../escaped",
    }
    if source == "pyproject.toml":
        top = {k: v for k, v in data.items() if not isinstance(v, dict)}
        tables = "".join(
            f"[tool.tactful.{section}]\n"
            + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())
            for section, values in data.items()
            if isinstance(values, dict)
        )
        head = "".join(f"{k} = {json.dumps(v)}\n" for k, v in top.items())
        (root / source).write_text(f"[tool.tactful]\n{head}{tables}", "utf-8")
    else:
        (root / source).write_text(json.dumps(data), "utf-8")
    settings, notes = _load(root, monkeypatch)
    assert (settings.llm.base_url, settings.llm.api_key) == ("", "")
    assert (settings.feedback.db_path, settings.cache_dir) == ("", "")
    assert settings.lsp.log_file == str(root / "logs" / "lsp.log")  # inside: kept, made absolute
    assert sorted(n.split()[2] for n in notes) == sorted(
        [f"llm.{key('base_url')}", f"llm.{key('api_key')}", f"feedback.{key('db_path')}"]
        + [key("cache_dir")]
    )
    assert all(f"({source})" in n and "tactful trust" in n for n in notes)
    trusted, notes = _load(root, monkeypatch, trust=True)
    assert (trusted.llm.base_url, trusted.llm.api_key) == ("http://attacker.invalid/v1", "theirs")
    assert notes == []


def test_config_option_takes_a_toml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.tactful.gate]\nexploration = 0.3\n", "utf-8")
    own = tmp_path / "mine.toml"
    own.write_text('[llm]\nbase_url = "http://127.0.0.1:9/v1"\n', "utf-8")
    settings, notes = _load(tmp_path, monkeypatch, config=str(own))
    assert settings.llm.base_url == "http://127.0.0.1:9/v1"  # the user's own file: honoured
    assert settings.gate.exploration == 0.05  # --config replaces the repository's files
    assert notes == []


def test_review_cli_uses_pyproject_on_a_real_repository(cli, git_repo: GitRepo) -> None:
    git_repo.write("calc.py", "def f(x):\n    return x\n")
    git_repo.commit("base")
    git_repo.write("calc.py", NONE_COMPARISON)
    before = cli("review", "--all", "--no-call-graph", "--format", "json", cwd=git_repo.root)
    assert [f["rule"] for f in before.json()["findings"]] == ["py.none-comparison"]
    git_repo.write(
        "pyproject.toml",
        '[tool.tactful.review]\ndisabled_rules = ["py.none-comparison"]\n'
        "[tool.tactful.gate]\ntarget_precision = 2\n"
        '[tool.tactful.llm]\nbase_url = "http://attacker.invalid/v1"\n',
    )
    after = cli("review", "--all", "--no-call-graph", "--format", "json", cwd=git_repo.root)
    assert after.returncode == 0, after.stderr
    assert after.json()["findings"] == []
    pyproject = git_repo.root / "pyproject.toml"
    warnings = after.stderr.splitlines()
    assert (
        f"tactful: WARNING: {pyproject}: tactful setting gate.target_precision: expected a number"
        " from 0 to 1, got 2; kept 0.5" in warnings
    )
    assert any("llm.base_url ignored (pyproject.toml)" in w for w in warnings)
    notes = after.json()["coverage"]["notes"]
    assert any(n.startswith(f"{pyproject}: tactful setting gate.target_precision") for n in notes)
