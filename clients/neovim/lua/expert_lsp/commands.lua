-- User commands mapped to the server's workspace/executeCommand ids. A string or table result
-- opens in a scratch split; errors are shown with vim.notify.
local compat = require("expert_lsp.compat")

local M = {}

M.server_commands = {
  review = "expert-lsp.review",
  explain = "expert-lsp.explain",
  show_request = "expert-lsp.showRequest",
  clear_cache = "expert-lsp.clearCache",
}

local function show(result, filetype)
  local text = type(result) == "string" and result or vim.inspect(result)
  if type(result) == "table" and filetype ~= "markdown" then
    filetype = "lua" -- vim.inspect output
  end
  local bufnr = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, vim.split(text, "\n"))
  vim.bo[bufnr].filetype = filetype
  vim.bo[bufnr].modifiable = false
  vim.cmd("botright split")
  vim.api.nvim_win_set_buf(0, bufnr)
end

--- Run `command` through `client`; `on_result` gets a non-nil result.
function M.execute(client, command, arguments, on_result)
  local params = { command = command, arguments = arguments }
  compat.request(client, "workspace/executeCommand", params, function(err, result)
    if err then
      vim.notify("expert-lsp: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    elseif result ~= nil and result ~= vim.NIL and on_result then
      on_result(result)
    end
  end, vim.api.nvim_get_current_buf())
end

--- The cursor as (uri, line, character), the character in the client's position encoding.
local function cursor(client)
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  return params.textDocument.uri, params.position.line, params.position.character
end

--- A command callback that runs `fn(client, args)` when the buffer has an expert-lsp client.
local function with_client(plugin, fn)
  return function(args)
    local client = compat.buffer_client(plugin.name, vim.api.nvim_get_current_buf())
    if client then
      fn(client, args)
    else
      vim.notify("expert-lsp is not attached to this buffer", vim.log.levels.WARN)
    end
  end
end

--- One line for a review answer ({target, findings, cached, inputTokens, outputTokens}).
function M.review_summary(result)
  if type(result) ~= "table" then
    return "expert-lsp: review finished"
  end
  local cost = result.cached and "from the cache"
    or string.format("%s tokens in, %s out", result.inputTokens or 0, result.outputTokens or 0)
  return string.format(
    "expert-lsp: review of %s: %s finding(s), %s",
    result.target or "?",
    result.findings or 0,
    cost
  )
end

--- Create the user commands for `plugin` (the expert_lsp module).
function M.create(plugin)
  local create = vim.api.nvim_create_user_command
  create("ExpertReview", with_client(plugin, function(client)
    local uri, line = cursor(client)
    M.execute(client, M.server_commands.review, { uri, line }, function(result)
      vim.notify(M.review_summary(result), vim.log.levels.INFO)
    end)
  end), { desc = "expert-lsp: review the function at the cursor with the persona" })
  create("ExpertExplain", with_client(plugin, function(client)
    local uri, line = cursor(client)
    M.execute(client, M.server_commands.explain, { uri, line }, function(result)
      show(type(result) == "table" and result.markdown or result, "markdown")
    end)
  end), { desc = "expert-lsp: explain the function or symbol at the cursor" })
  create("ExpertShowRequest", with_client(plugin, function(client)
    local uri, line = cursor(client)
    M.execute(client, M.server_commands.show_request, { uri, line }, function(result)
      show(result, "json")
    end)
  end), { desc = "expert-lsp: show what would be sent to the model" })
  create("ExpertClearCache", with_client(plugin, function(client)
    M.execute(client, M.server_commands.clear_cache, {}, function(result)
      vim.notify("expert-lsp: cache cleared (" .. tostring(result.removed) .. " entries)")
    end)
  end), { desc = "expert-lsp: clear the expert cache" })
  create("ExpertRestart", function()
    plugin.restart()
  end, { desc = "expert-lsp: restart the server" })
end

return M
