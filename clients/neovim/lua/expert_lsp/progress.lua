-- $/progress reports (expert reviews take seconds) echoed in the command line: the LspProgress
-- event on Neovim 0.10+, the LspProgressUpdate user event before that.
local M = {}

local function echo(text)
  vim.api.nvim_echo({ { text, "ModeMsg" } }, false, {})
end

local function render(title, message, percentage)
  local parts = { "expert-lsp:", title or "" }
  if message and message ~= "" then
    table.insert(parts, message)
  end
  if percentage then
    table.insert(parts, string.format("(%d%%)", percentage))
  end
  return table.concat(parts, " ")
end

M.render = render

--- Listen for progress of expert-lsp clients in the autocommand `group`.
function M.enable(group)
  if vim.fn.exists("##LspProgress") == 1 then
    vim.api.nvim_create_autocmd("LspProgress", {
      group = group,
      callback = function(ev)
        local client = vim.lsp.get_client_by_id(ev.data.client_id)
        local value = ev.data.params.value
        if client and client.name == "expert-lsp" and type(value) == "table" then
          echo(value.kind == "end" and render(value.title, value.message or "done")
            or render(value.title, value.message, value.percentage))
        end
      end,
    })
    return
  end
  vim.api.nvim_create_autocmd("User", {
    group = group,
    pattern = "LspProgressUpdate",
    callback = function()
      for _, item in ipairs(vim.lsp.util.get_progress_messages()) do
        if item.name == "expert-lsp" then
          echo(render(item.title, item.done and "done" or item.message, item.percentage))
        end
      end
    end,
  })
end

return M
