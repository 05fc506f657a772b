"""The VS Code extension without a workbench: its manifest and its own unit tests.

The settings it contributes are generated from ``server/settings.py`` (types, defaults, and
the attribute docstrings as descriptions) by ``editors/vscode/sync_settings.py``; the
TypeScript is type-checked and its pure parts unit-tested with Node (``npm run check``,
``npm test``). The real workbench is driven in ``test_vscode_e2e.py``.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest
from tactful.server.settings import json_schema
from tactful.server.settings_docs import as_markdown, attribute_docs, setting_docs

EXTENSION = Path(__file__).resolve().parents[1] / "editors" / "vscode"


def sync_settings() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sync_settings", EXTENSION / "sync_settings.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def manifest() -> dict:
    return json.loads((EXTENSION / "package.json").read_text("utf-8"))


def test_manifest_settings_are_generated_from_the_schema_and_docstrings():
    declared = manifest()["contributes"]["configuration"]
    assert declared == sync_settings().configuration(), "run editors/vscode/sync_settings.py"
    properties = declared["properties"]
    assert "tactful.llm.apiKey" not in properties  # a secret: SecretStorage, not settings.json
    assert {k for k in properties if k.startswith("tactful.server.")} == {"tactful.server.path"}
    for key, entry in json_schema()["properties"].items():
        if key == "tactful.llm.apiKey":
            continue
        jsonschema.validate(entry["default"], entry)
        description = properties[key]["markdownDescription"]
        assert description and "see server/settings.py" not in description, key
    assert properties["tactful.gate.targetPrecision"]["markdownDescription"] == (
        "Show a suggestion when the predicted chance that you act on it reaches this."
    )


def test_readme_settings_table_is_generated_from_the_schema_and_docstrings():
    sync = sync_settings()
    readme = sync.README.read_text("utf-8")
    assert readme == sync.readme_with_table(readme), "run editors/vscode/sync_settings.py"
    block = readme[readme.index(sync.BEGIN) : readme.index(sync.END)]
    rows = [line for line in block.splitlines() if line.startswith("| `")]
    assert len(rows) == len(json_schema()["properties"])  # the secret key too: the CLI reads it
    assert (
        "| `review.maxUntrackedFiles` | integer, ≥ 0 | `200` | At most this many untracked files"
        in block
    )
    assert "| `gate.hidePrecision` | number, ≥ 0.5, < 1 | `0.95` |" in block


def test_every_server_setting_has_a_docstring():
    assert set(setting_docs()) == set(json_schema()["properties"])


def test_attribute_docstrings_read_from_source():
    class Example:
        plain: int = 1
        documented: str = ""
        """Where the ``cache`` goes,
        on two lines."""

    assert attribute_docs(Example) == {"documented": "Where the ``cache`` goes,\non two lines."}
    assert as_markdown("Where the ``cache`` goes,\non two lines.") == (
        "Where the `cache` goes, on two lines."
    )


def test_commands_are_declared():
    commands = {c["command"] for c in manifest()["contributes"]["commands"]}
    assert commands == {
        "tactful.runWorkspaceReview",
        "tactful.toggleHidden",
        "tactful.showStatistics",
        "tactful.exportFeedback",
        "tactful.setApiKey",
        "tactful.clearApiKey",
        "tactful.restartServer",
        "tactful.showLog",
    }
    source = "\n".join(p.read_text("utf-8") for p in (EXTENSION / "src").glob("*.ts"))
    for command in commands | {"tactful.reviewWorkspace", "tactful.showHidden", "tactful/status"}:
        assert f'"{command}"' in source, command


NEEDS_NPM = pytest.mark.skipif(
    not (EXTENSION / "node_modules").is_dir() or shutil.which("npm") is None,
    reason="the extension's npm dependencies are not installed (npm ci in editors/vscode; .ci/run does)",
)


def test_manifest_names_no_repository_of_someone_else():
    # The project has no public home yet: no URL rather than a guess that may be a stranger's.
    assert "repository" not in manifest()
    assert "--allow-missing-repository" in manifest()["scripts"]["package"]


@NEEDS_NPM
def test_vsix_packages_without_warnings(tmp_path: Path):
    vsix = tmp_path / "tactful.vsix"
    proc = subprocess.run(
        ["npm", "run", "--silent", "package", "--", "--out", str(vsix)],
        cwd=EXTENSION,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "WARNING" not in proc.stdout + proc.stderr
    with zipfile.ZipFile(vsix) as packed:
        shipped = {n for n in packed.namelist() if n.startswith("extension/")}
    # the bundle, the manifest and the documents: no sources, dev scripts or node_modules
    assert shipped == {
        "extension/package.json",
        "extension/readme.md",
        "extension/changelog.md",
        "extension/LICENSE.txt",
        "extension/images/icon.png",
        "extension/dist/extension.js",
    }


@NEEDS_NPM
@pytest.mark.parametrize("script", ["check", "test"])
def test_typescript(script: str):
    proc = subprocess.run(
        ["npm", "run", "--silent", script],
        cwd=EXTENSION,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
