-- tactful's commands exist as soon as the plugin is on 'runtimepath'; setup() starts the server.
if vim.g.loaded_tactful ~= nil then
  return
end
vim.g.loaded_tactful = true
require("tactful").create_commands()
