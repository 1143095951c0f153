-- Neovim 0.7 .. 0.11 differences in one place: client methods (`client.request` became
-- `client:request`), client listing, starting a client, and the health report functions.
local M = {}

M.has_start = vim.lsp.start ~= nil -- 0.8+: vim.lsp.start reuses a client per name and root

--- All clients with the given name.
function M.clients(name)
  local list = vim.lsp.get_clients and vim.lsp.get_clients({ name = name })
    or vim.lsp.get_active_clients()
  local found = {}
  for _, client in ipairs(list) do
    if client.name == name then
      table.insert(found, client)
    end
  end
  return found
end

--- The client named `name` attached to `bufnr`, if any.
function M.buffer_client(name, bufnr)
  for _, client in ipairs(M.clients(name)) do
    if client.attached_buffers and client.attached_buffers[bufnr] then
      return client
    end
  end
  return nil
end

local function method(client, name)
  -- 0.11 deprecates the dot form; both forms receive the client as `self` here.
  return function(...)
    return client[name](client, ...)
  end
end

local function dot_or_colon(client, name)
  if vim.fn.has("nvim-0.11") == 1 then
    return method(client, name)
  end
  return client[name]
end

--- client:request(method, params, handler, bufnr) on every version.
function M.request(client, lsp_method, params, handler, bufnr)
  return dot_or_colon(client, "request")(lsp_method, params, handler, bufnr)
end

--- client:request_sync(method, params, timeout_ms, bufnr) on every version.
function M.request_sync(client, lsp_method, params, timeout_ms, bufnr)
  return dot_or_colon(client, "request_sync")(lsp_method, params, timeout_ms, bufnr)
end

--- client:notify(method, params) on every version.
function M.notify(client, lsp_method, params)
  return dot_or_colon(client, "notify")(lsp_method, params)
end

--- client:stop(force) on every version.
function M.stop(client, force)
  return dot_or_colon(client, "stop")(force)
end

--- client:is_stopped() on every version.
function M.is_stopped(client)
  return dot_or_colon(client, "is_stopped")()
end

--- The health report API: vim.health (0.9+) or require("health") (0.7).
function M.health()
  local health = vim.health or require("health")
  return {
    start = health.start or health.report_start,
    ok = health.ok or health.report_ok,
    warn = health.warn or health.report_warn,
    error = health.error or health.report_error,
    info = health.info or health.report_info,
  }
end

return M
