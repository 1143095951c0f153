-- Finding the expert-lsp server: `expert-lsp` on PATH, else a Python (the active virtualenv's,
-- then python3) that can import expert_lsp.
local M = {}

M.install_hint = "pip install expert-lsp"

local function can_import(python)
  if vim.fn.executable(python) ~= 1 then
    return false
  end
  vim.fn.system({ python, "-c", "import expert_lsp" })
  return vim.v.shell_error == 0
end

--- Candidate interpreters, the active virtualenv first.
function M.interpreters()
  local list = {}
  local venv = vim.env.VIRTUAL_ENV
  if venv and venv ~= "" then
    table.insert(list, venv .. "/bin/python")
  end
  table.insert(list, "python3")
  return list
end

--- The command that starts the server over stdio, or nil when none is installed.
function M.discover()
  if vim.fn.executable("expert-lsp") == 1 then
    return { "expert-lsp", "serve" }
  end
  for _, python in ipairs(M.interpreters()) do
    if can_import(python) then
      return { python, "-m", "expert_lsp", "serve" }
    end
  end
  return nil
end

--- The error shown when discover() finds nothing.
function M.not_found_message()
  return "expert-lsp: server not found (no `expert-lsp` on PATH and no Python that imports "
    .. "expert_lsp). Install it with `"
    .. M.install_hint
    .. "` or pass `cmd` to require('expert_lsp').setup()."
end

--- `expert-lsp --version` of the command's program (first line), or nil.
function M.version(cmd)
  local probe = { cmd[1] }
  if cmd[2] == "-m" then
    vim.list_extend(probe, { "-m", cmd[3] })
  end
  table.insert(probe, "--version")
  local out = vim.fn.system(probe)
  if vim.v.shell_error ~= 0 then
    return nil
  end
  return vim.split(out, "\n")[1]
end

return M
