-- :checkhealth tactful: Neovim, the server command, git, and the server attached to this buffer.

local M = {}

-- vim.health.start/ok/... (0.10+), vim.health.report_* (0.8, 0.9), require("health") (0.7)
local function reporter()
  local health = vim.health or require("health")
  local function pick(name)
    return health[name] or health["report_" .. name]
  end
  return {
    start = pick("start"), ok = pick("ok"), warn = pick("warn"), error = pick("error"),
    info = pick("info"),
  }
end

function M.check()
  local report = reporter()
  local tactful = require("tactful")
  report.start("tactful")
  local v = vim.version()
  local version = string.format("%d.%d.%d", v.major, v.minor, v.patch)
  if vim.fn.has("nvim-0.7") == 1 then
    local how = (vim.lsp.config ~= nil and vim.lsp.enable ~= nil) and "vim.lsp.config/enable"
      or (vim.lsp.start ~= nil and "vim.lsp.start" or "vim.lsp.start_client")
    report.ok("Neovim " .. version .. " (the server is started with " .. how .. ")")
  else
    report.error("Neovim " .. version .. " is too old: tactful needs 0.7 or later")
  end
  if tactful.options == nil then
    report.warn("require(\"tactful\").setup() has not been called", { "call it from your init.lua" })
  end
  local cmd = tactful.current().cmd
  if vim.fn.executable(cmd[1]) ~= 1 then
    report.error(cmd[1] .. " is not an executable on PATH", {
      "install tactful: pip install tactful (in a virtual environment you activate)",
      "or pass its path: require(\"tactful\").setup({ cmd = { \"/path/to/tactful\", \"lsp\" } })",
    })
  else
    local output = vim.fn.systemlist(tactful.cli("editor", "nvim"))
    if vim.v.shell_error == 0 then
      report.ok(table.concat(cmd, " ") .. " runs; its Neovim plugin is at " .. (output[1] or "?"))
    else
      report.error(table.concat(tactful.cli("editor", "nvim"), " ") .. " failed: "
        .. table.concat(output, " "), { "tactful may be too old: pip install -U tactful" })
    end
  end
  if vim.fn.executable("git") == 1 then
    report.ok("git is on PATH")
  else
    report.error("git is not on PATH: tactful reviews what git says changed")
  end
  local clients = tactful.running()
  if #clients > 0 then
    local buffers = 0
    for _, client in ipairs(clients) do
      buffers = buffers + #vim.tbl_keys(client.attached_buffers or {})
    end
    report.ok(string.format("the tactful server is running (root %s), attached to %d buffer(s)",
      tostring(clients[1].config.root_dir), buffers))
  else
    report.info("no tactful server is running yet: open a file of one of these filetypes: "
      .. table.concat(tactful.current().filetypes, ", "))
  end
end

return M
