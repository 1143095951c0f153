-- Headless Neovim end-to-end scenario for clients/neovim, run by tests/clients/test_neovim.py:
-- setup() through the plugin, then diagnostics, hover, a code action (resolved when the server
-- defers its edit) applied to the buffer, :ExpertRestart and :checkhealth expert_lsp.
-- Inputs come from the environment; the results are written as JSON for pytest to assert on.
local plugin_dir = vim.env.EXPERT_LSP_NVIM_PLUGIN
local file = vim.env.EXPERT_LSP_SAMPLE_FILE
local out = vim.env.EXPERT_LSP_RESULTS
local server_cmd = vim.fn.json_decode(vim.env.EXPERT_LSP_SERVER_CMD)
local timeout = 30000

vim.opt.runtimepath:prepend(plugin_dir)
local expert = require("expert_lsp")
local compat = require("expert_lsp.compat")

-- vim.notify is how the plugin reports command results: record what it says.
local notes = {}
vim.notify = function(message)
  table.insert(notes, message)
end

local function noted(pattern)
  for _, message in ipairs(notes) do
    if message:find(pattern) then
      return message
    end
  end
  return nil
end

local results = { version = tostring(vim.version().major) .. "." .. tostring(vim.version().minor) }

local function wait_for(what, predicate)
  if not vim.wait(timeout, predicate, 20) then
    error("timed out waiting for " .. what)
  end
end

local function expert_diagnostics(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = (d.user_data and d.user_data.lsp) or {}
    if d.source == "expert-lsp" or lsp.source == "expert-lsp" then
      table.insert(found, {
        code = d.code or lsp.code,
        message = d.message,
        lnum = d.lnum,
        col = d.col,
        end_lnum = d.end_lnum,
        end_col = d.end_col,
        severity = d.severity,
        data = lsp.data,
      })
    end
  end
  return found
end

local function hover_text(result)
  local contents = result and result.contents
  if type(contents) == "string" then
    return contents
  end
  if type(contents) == "table" and contents.value then
    return contents.value
  end
  return vim.inspect(contents)
end

local function scenario()
  expert.setup({ cmd = server_cmd, settings = { select = { "ASY" } } })
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()

  wait_for("the client", function()
    return compat.buffer_client("expert-lsp", bufnr) ~= nil
  end)
  local client = compat.buffer_client("expert-lsp", bufnr)
  results.root_dir = client.config.root_dir
  results.client_id = client.id

  wait_for("diagnostics", function()
    return #expert_diagnostics(bufnr) > 0
  end)
  local diagnostics = expert_diagnostics(bufnr)
  results.diagnostics = diagnostics

  -- Hover on the call `greet(...)` inside handler().
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local hover_line, hover_col
  for index, text in ipairs(lines) do
    local col = text:find("return greet%(")
    if col then
      hover_line, hover_col = index - 1, col - 1 + #"return "
    end
  end
  local uri = vim.uri_from_bufnr(bufnr)
  local position = { line = hover_line, character = hover_col }
  local hover = compat.request_sync(client, "textDocument/hover", {
    textDocument = { uri = uri },
    position = position,
  }, timeout, bufnr)
  if not hover or hover.err then
    error("hover failed: " .. vim.inspect(hover))
  end
  results.hover = hover_text(hover.result)

  -- Code actions for the first diagnostic, with the diagnostic in the context as editors send it.
  local d = diagnostics[1]
  local range = {
    start = { line = d.lnum, character = d.col },
    ["end"] = { line = d.end_lnum, character = d.end_col },
  }
  local lsp_diagnostic = {
    range = range,
    message = d.message,
    severity = d.severity,
    source = "expert-lsp",
    code = d.code,
    data = d.data,
  }
  local actions = compat.request_sync(client, "textDocument/codeAction", {
    textDocument = { uri = uri },
    range = range,
    context = { diagnostics = { lsp_diagnostic }, triggerKind = 1 },
  }, timeout, bufnr)
  if not actions or actions.err then
    error("codeAction failed: " .. vim.inspect(actions))
  end
  results.action_titles = {}
  local chosen
  for _, action in ipairs(actions.result or {}) do
    table.insert(results.action_titles, action.title)
    if not chosen and action.title:find("asyncio.sleep", 1, true) then
      chosen = action
    end
  end
  if not chosen then
    error("no asyncio.sleep quick fix among " .. vim.inspect(results.action_titles))
  end
  results.resolved = false
  if not chosen.edit then
    local resolved = compat.request_sync(client, "codeAction/resolve", chosen, timeout, bufnr)
    if not resolved or resolved.err then
      error("codeAction/resolve failed: " .. vim.inspect(resolved))
    end
    chosen = resolved.result
    results.resolved = true
  end
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  results.text_after_fix = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")

  -- The fixed buffer is sent to the server (didChange); its ASY101 diagnostic goes away.
  wait_for("the fixed buffer to be clean", function()
    return #expert_diagnostics(bufnr) == 0
  end)

  -- :ExpertRestart: a new server process serves the buffer.
  vim.cmd("ExpertRestart")
  wait_for("a new client", function()
    local current = compat.buffer_client("expert-lsp", bufnr)
    return current ~= nil and current.id ~= results.client_id and current.initialized ~= false
  end)
  results.restarted_client_id = compat.buffer_client("expert-lsp", bufnr).id

  -- Server commands through workspace/executeCommand: the cache is cleared; what would be sent
  -- for handler() opens in a split.
  vim.cmd("ExpertClearCache")
  wait_for("the cache to be cleared", function()
    return noted("cache cleared") ~= nil
  end)
  results.clear_cache = noted("cache cleared")
  local before = #notes
  vim.api.nvim_win_set_cursor(0, { 12, 4 })
  vim.cmd("ExpertShowRequest")
  wait_for("the show-request answer", function()
    return #notes > before or vim.api.nvim_get_current_buf() ~= bufnr
  end)
  results.show_request = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  if vim.api.nvim_get_current_buf() ~= bufnr then
    vim.cmd("close")
  end

  -- :checkhealth expert_lsp, read from the health buffer.
  vim.cmd("checkhealth expert_lsp")
  results.health = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
end

local ok, err = xpcall(scenario, debug.traceback)
results.notes = notes
results.ok = ok
results.error = ok and vim.NIL or tostring(err)
local handle = assert(io.open(out, "w"))
handle:write(vim.fn.json_encode(results))
handle:close()
for _, client in ipairs(compat.clients("expert-lsp")) do
  compat.stop(client, true)
end
vim.cmd("qall!")
