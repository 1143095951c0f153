-- :checkhealth expert_lsp: the server is found, its version, the running clients and the
-- expert engine's configuration.
local compat = require("expert_lsp.compat")
local server = require("expert_lsp.server")

local M = {}

function M.check()
  local health = compat.health()
  local plugin = require("expert_lsp")
  health.start("expert-lsp")
  if vim.fn.has("nvim-0.7") ~= 1 then
    health.error("Neovim 0.7 or newer is required")
  end
  local cmd = plugin.options.cmd or server.discover()
  if not cmd then
    health.error(server.not_found_message())
    return
  end
  health.ok("server command: " .. table.concat(cmd, " "))
  local version = server.version(cmd)
  if version then
    health.ok("server version: " .. version)
  else
    health.warn("`" .. cmd[1] .. " --version` failed: is the server installed in that Python?")
  end
  local clients = compat.clients(plugin.name)
  if #clients == 0 then
    health.info("no running client (open a Python file)")
  end
  for _, client in ipairs(clients) do
    health.ok(string.format("client %d running for %s", client.id, client.config.root_dir or "?"))
  end
  local expert = (plugin.options.settings or {}).expert or {}
  local provider = expert.provider or "anthropic"
  if provider == "none" or expert.trigger == "off" then
    health.info("expert engine: off (rules only)")
    return
  end
  local key_env = expert.apiKeyEnv or (provider == "anthropic" and "ANTHROPIC_API_KEY" or nil)
  local persona = expert.persona or "python-backend-expert"
  local label = string.format("expert engine: %s, persona %s", provider, persona)
  if key_env and (vim.env[key_env] or "") == "" and not expert.baseUrl then
    health.warn(label .. ": $" .. key_env .. " is not set, so the server runs rules only")
  else
    health.ok(label)
  end
end

return M
