-- tactful for Neovim: diff-aware review as diagnostics with quick fixes.
--
-- Use it from your init.lua (no plugin manager or nvim-lspconfig needed):
--
--   require("tactful").setup()            -- with this file on 'runtimepath' as lua/tactful.lua
--   dofile("/path/to/tactful.lua").setup() -- or straight from a checkout
--
-- Options (all optional):
--   cmd       command that starts the server        (default { "tactful", "lsp" })
--   filetypes buffers to review                     (default: the 11 supported languages)
--   settings  tactful settings, camelCase as in server/settings.py, e.g.
--             { lsp = { debounceMs = 300, mergeBaseWith = "origin/main" },
--               review = { disabledRules = { "generic.todo-no-reference" } } }
--
-- Neovim 0.11+ registers the server with vim.lsp.config / vim.lsp.enable. Older versions
-- start it per buffer with vim.lsp.start (0.8+) or vim.lsp.start_client (0.7).
-- Quick fixes, "Dismiss" and "Not helpful…" appear under vim.lsp.buf.code_action().

local M = {}

M.defaults = {
  cmd = { "tactful", "lsp" },
  filetypes = {
    "python", "javascript", "javascriptreact", "typescript", "typescriptreact", "go", "java",
    "c", "cpp", "cs", "ruby", "php", "rust",
  },
  settings = {},
}

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

local function client_config(opts, root)
  return {
    name = "tactful",
    cmd = opts.cmd,
    root_dir = root,
    init_options = opts.settings,
    settings = { tactful = opts.settings },
  }
end

function M.setup(user)
  local opts = vim.tbl_deep_extend("force", {}, M.defaults, user or {})
  if vim.lsp.config ~= nil and vim.lsp.enable ~= nil then
    local config = client_config(opts, nil)
    config.root_dir = nil
    config.root_markers = { ".git" }
    config.filetypes = opts.filetypes
    vim.lsp.config("tactful", config)
    vim.lsp.enable("tactful")
    return M
  end
  local group = vim.api.nvim_create_augroup("tactful", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      local name = vim.api.nvim_buf_get_name(args.buf)
      if name == "" then
        return
      end
      local config = client_config(opts, find_root(name))
      if vim.lsp.start ~= nil then
        vim.lsp.start(config, { bufnr = args.buf })
      else
        M._client_id = M._client_id or vim.lsp.start_client(config)
        if M._client_id then
          vim.lsp.buf_attach_client(args.buf, M._client_id)
        end
      end
    end,
  })
  return M
end

return M
