-- expert-lsp for Neovim 0.7+: starts the server for Python buffers in the project root, passes
-- settings, shows progress and adds :ExpertReview, :ExpertExplain, :ExpertRestart,
-- :ExpertShowRequest, :ExpertClearCache. Usage: require("expert_lsp").setup({ settings = {...} })
local compat = require("expert_lsp.compat")
local server = require("expert_lsp.server")

local M = {}

M.name = "expert-lsp"

local defaults = {
  -- Command that starts the server; nil: discovered (see server.discover).
  cmd = nil,
  -- Files or folders that mark a project root, searched upwards from the buffer.
  root_markers = { "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", ".git" },
  -- Server settings, the same keys as [tool.expert-lsp] in camelCase (see docs/configuration.md).
  settings = {},
  -- Echo $/progress reports (expert reviews) in the command line.
  progress = true,
  filetypes = { "python" },
  on_attach = nil,
  capabilities = nil,
}

M.options = vim.deepcopy(defaults)

--- The nearest ancestor of `path` holding one of `markers`, else the file's folder.
function M.find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local current = dir
  while true do
    for _, marker in ipairs(markers) do
      if vim.loop.fs_stat(current .. "/" .. marker) then
        return current
      end
    end
    local parent = vim.fn.fnamemodify(current, ":h")
    if parent == current then
      return dir
    end
    current = parent
  end
end

local function client_config(root)
  local opts = M.options
  -- An empty Lua table would be encoded as a JSON list; the server expects an object.
  local settings = next(opts.settings or {}) and opts.settings or vim.empty_dict()
  return {
    name = M.name,
    cmd = opts.cmd or server.discover(),
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = settings,
    settings = { [M.name] = settings },
    capabilities = opts.capabilities or vim.lsp.protocol.make_client_capabilities(),
    on_attach = opts.on_attach,
  }
end

local started = {} -- root -> client id, for Neovim 0.7 which has no vim.lsp.start

--- Start (or reuse) the client for `bufnr` and attach it; returns the client id.
function M.attach(bufnr)
  local file = vim.api.nvim_buf_get_name(bufnr)
  local root = M.find_root(file ~= "" and file or vim.fn.getcwd() .. "/x", M.options.root_markers)
  local config = client_config(root)
  if not config.cmd then
    vim.notify(server.not_found_message(), vim.log.levels.ERROR)
    return nil
  end
  if compat.has_start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = started[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or compat.is_stopped(client) then
    id = vim.lsp.start_client(config)
    started[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Stop every expert-lsp client and start them again for the buffers they served.
function M.restart()
  local buffers = {}
  for _, client in ipairs(compat.clients(M.name)) do
    for bufnr in pairs(client.attached_buffers or {}) do
      table.insert(buffers, bufnr)
    end
    compat.stop(client, true)
  end
  started = {}
  if #buffers == 0 and vim.tbl_contains(M.options.filetypes, vim.bo.filetype) then
    buffers = { vim.api.nvim_get_current_buf() }
  end
  -- The old process must be gone before a client for the same root is started again.
  vim.wait(5000, function()
    return #compat.clients(M.name) == 0
  end, 20)
  for _, bufnr in ipairs(buffers) do
    if vim.api.nvim_buf_is_valid(bufnr) then
      M.attach(bufnr)
    end
  end
end

--- Send new settings to the running clients (workspace/didChangeConfiguration).
function M.update_settings(settings)
  M.options.settings = settings
  for _, client in ipairs(compat.clients(M.name)) do
    client.config.settings = { [M.name] = settings }
    compat.notify(client, "workspace/didChangeConfiguration", { settings = client.config.settings })
  end
end

--- Configure the plugin: options merged over the defaults, autocommands and user commands.
function M.setup(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  local group = vim.api.nvim_create_augroup("expert_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.options.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  require("expert_lsp.commands").create(M)
  if M.options.progress then
    require("expert_lsp.progress").enable(group)
  end
  -- Buffers already open when setup runs (lazy loading) are attached too.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr)
      and vim.tbl_contains(M.options.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

return M
