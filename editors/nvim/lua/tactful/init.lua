-- tactful for Neovim: diff-aware review as diagnostics with quick fixes.
--
--   require("tactful").setup({ settings = { lsp = { debounceMs = 300 } } })
--
-- Neovim 0.11+ registers the server with vim.lsp.config / vim.lsp.enable; older versions
-- start it per buffer with vim.lsp.start (0.8+) or vim.lsp.start_client (0.7). Quick fixes,
-- "Dismiss" and "Not helpful…" appear under vim.lsp.buf.code_action(). See :help tactful.

local M = {}

M.defaults = {
  cmd = { "tactful", "lsp" },
  filetypes = {
    "python", "javascript", "javascriptreact", "typescript", "typescriptreact", "go", "java",
    "c", "cpp", "cs", "ruby", "php", "rust",
  },
  settings = {},
}

--- The options setup() was called with, merged over the defaults (nil before setup()).
M.options = nil

local levels = vim.log.levels

local function has(version)
  return vim.fn.has("nvim-" .. version) == 1
end

local function notify(message, level)
  vim.notify("tactful: " .. message, level or levels.INFO)
end

--- The options in effect: setup()'s, or the defaults.
function M.current()
  return M.options or M.defaults
end

--- The command line of the tactful CLI itself: the server command without its "lsp".
function M.cli(...)
  local cmd = vim.deepcopy(M.current().cmd)
  if cmd[#cmd] == "lsp" then
    table.remove(cmd)
  end
  for _, arg in ipairs({ ... }) do
    table.insert(cmd, arg)
  end
  return cmd
end

--- The tactful clients attached to a buffer, on every Neovim from 0.7.
function M.clients(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if vim.lsp.get_clients ~= nil then
    return vim.lsp.get_clients({ bufnr = bufnr, name = "tactful" })
  end
  local found = {}
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if client.name == "tactful" then
      table.insert(found, client)
    end
  end
  return found
end

--- Every running tactful client (any buffer).
function M.running()
  local all = vim.lsp.get_clients ~= nil and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  return vim.tbl_filter(function(client) return client.name == "tactful" end, all)
end

local function request(client, method, params, handler, bufnr)
  if has("0.11") then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- Run a tactful server command (workspace/executeCommand); on_result gets its answer.
function M.execute(command, arguments, on_result, bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = M.clients(bufnr)[1]
  if client == nil then
    notify("no tactful server attached to this buffer (see :checkhealth tactful)", levels.WARN)
    return false
  end
  request(client, "workspace/executeCommand", { command = command, arguments = arguments },
    function(err, result)
      if err ~= nil then
        notify(command .. ": " .. (err.message or vim.inspect(err)), levels.ERROR)
      elseif on_result ~= nil then
        on_result(result, client)
      end
    end, bufnr)
  return true
end

local QF_TYPE = { error = "E", warning = "W", info = "I", [1] = "E", [2] = "W", [3] = "I", [4] = "N" }

--- :TactfulReview: review the whole branch; the findings go to the quickfix list.
function M.review()
  return M.execute("tactful.reviewWorkspace", {}, function(result, client)
    local root = client.config.root_dir or vim.fn.getcwd()
    local items = {}
    for _, f in ipairs(result.findings or {}) do
      table.insert(items, {
        filename = root .. "/" .. f.path, lnum = f.line, col = f.column,
        type = QF_TYPE[f.severity], text = "[" .. f.rule .. "] " .. f.message,
      })
    end
    vim.fn.setqflist({}, " ", { title = "tactful: " .. (result.label or "review"), items = items })
    notify(string.format("%s: %d finding(s) in %d file(s), %d hidden by the gate",
      result.label or "review", #items, result.reviewed or 0, result.hidden or 0))
    if #items > 0 then
      vim.cmd("copen")
    end
  end)
end

--- :TactfulHidden: what the display gate hid in this buffer, in the location list.
function M.hidden()
  local bufnr = vim.api.nvim_get_current_buf()
  local winid = vim.api.nvim_get_current_win()
  return M.execute("tactful.showHidden", { { uri = vim.uri_from_bufnr(bufnr) } }, function(reports)
    local items = {}
    for _, report in ipairs(reports or {}) do
      for _, d in ipairs(report.diagnostics or {}) do
        table.insert(items, {
          bufnr = bufnr, lnum = d.range.start.line + 1, col = d.range.start.character + 1,
          type = QF_TYPE[d.severity], text = "[" .. tostring(d.code) .. "] " .. d.message,
        })
      end
    end
    vim.fn.setloclist(winid, {}, " ", { title = "tactful: hidden suggestions", items = items })
    notify(string.format("%d hidden suggestion(s) in this buffer", #items))
    if #items > 0 then
      vim.cmd("lopen")
    end
  end, bufnr)
end

local function feedback_args()
  local feedback = M.current().settings.feedback or {}
  local db = feedback.dbPath or feedback.db_path
  return db and { "--db", db } or {}
end

local function run_cli(args)
  local output = vim.fn.systemlist(M.cli((table.unpack or unpack)(args)))
  return vim.v.shell_error == 0, output
end

local function scratch(title, lines)
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].modifiable = false
  pcall(vim.api.nvim_buf_set_name, buf, title)
  return buf
end

--- :TactfulStats: acceptance and hidden share over time and per rule (and a PNG).
function M.stats()
  local png = vim.fn.tempname() .. ".png"
  local args = { "stats", "--png", png }
  vim.list_extend(args, feedback_args())
  local ok, output = run_cli(args)
  if not ok then
    notify(table.concat(output, " "), levels.ERROR)
    return nil
  end
  table.insert(output, "")
  table.insert(output, "picture: " .. png)
  return scratch("tactful://stats", output)
end

--- :TactfulExport [FILE] [dpo]: the feedback log as JSONL events (or DPO pairs).
function M.export(path, format)
  path = (path ~= nil and path ~= "") and path or "tactful-feedback.jsonl"
  local args = { "feedback", "export", "--format", format or "jsonl", "--out", path }
  vim.list_extend(args, feedback_args())
  local ok, output = run_cli(args)
  if not ok then
    notify(table.concat(output, " "), levels.ERROR)
    return false
  end
  notify("feedback exported to " .. vim.fn.fnamemodify(path, ":p"))
  return true
end

--- Define :TactfulReview, :TactfulHidden, :TactfulStats and :TactfulExport (idempotent).
function M.create_commands()
  local function command(name, fn, opts)
    vim.api.nvim_create_user_command(name, fn, vim.tbl_extend("force", { force = true }, opts or {}))
  end
  command("TactfulReview", function() M.review() end, { desc = "tactful: review the branch" })
  command("TactfulHidden", function() M.hidden() end, { desc = "tactful: list hidden suggestions" })
  command("TactfulStats", function() M.stats() end, { desc = "tactful: feedback statistics" })
  command("TactfulExport", function(args)
    M.export(args.fargs[1], args.fargs[2])
  end, { nargs = "*", complete = "file", desc = "tactful: export the feedback log [FILE] [jsonl|dpo]" })
end

local function find_root(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local git_dir = vim.fn.finddir(".git", dir .. ";")
  if git_dir == "" then
    git_dir = vim.fn.findfile(".git", dir .. ";") -- a worktree or submodule has a .git file
  end
  if git_dir == "" then
    return dir
  end
  return vim.fn.fnamemodify(git_dir, ":p:h:h")
end

local function client_config(opts)
  return {
    name = "tactful",
    cmd = opts.cmd,
    init_options = opts.settings,
    settings = { tactful = opts.settings },
  }
end

local function start_per_buffer(opts)
  local group = vim.api.nvim_create_augroup("tactful", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      local name = vim.api.nvim_buf_get_name(args.buf)
      if name == "" then
        return
      end
      local config = client_config(opts)
      config.root_dir = find_root(name)
      if vim.lsp.start ~= nil then
        vim.lsp.start(config, { bufnr = args.buf })
      else -- Neovim 0.7: one client for the session
        M._client_id = M._client_id or vim.lsp.start_client(config)
        if M._client_id then
          vim.lsp.buf_attach_client(args.buf, M._client_id)
        end
      end
    end,
  })
end

--- Register the server for opts.filetypes and define the commands.
function M.setup(user)
  local opts = vim.tbl_deep_extend("force", {}, M.defaults, user or {})
  M.options = opts
  M.create_commands()
  if vim.lsp.config ~= nil and vim.lsp.enable ~= nil then
    local config = client_config(opts)
    config.root_markers = { ".git" }
    config.filetypes = opts.filetypes
    vim.lsp.config("tactful", config)
    vim.lsp.enable("tactful")
  else
    start_per_buffer(opts)
  end
  return M
end

return M
