-- Neovim 0.11+ without the plugin: the `vim.lsp.config` form documented in
-- clients/neovim/README.md, run by tests/clients/test_neovim.py. Writes the diagnostics as JSON.
local out = vim.env.EXPERT_LSP_RESULTS
local results = { ok = false }

local ok, err = xpcall(function()
  vim.lsp.config("expert_lsp", {
    cmd = vim.fn.json_decode(vim.env.EXPERT_LSP_SERVER_CMD),
    filetypes = { "python" },
    root_markers = { "pyproject.toml", "setup.py", "setup.cfg", ".git" },
    init_options = { select = { "ASY", "SEC" } },
  })
  vim.lsp.enable("expert_lsp")
  vim.cmd("edit " .. vim.fn.fnameescape(vim.env.EXPERT_LSP_SAMPLE_FILE))
  local found = vim.wait(30000, function()
    return #vim.diagnostic.get(0) > 0
  end, 20)
  if not found then
    error("no diagnostics")
  end
  results.codes = vim.tbl_map(function(d)
    return d.code
  end, vim.diagnostic.get(0))
  results.root_dir = vim.lsp.get_clients({ name = "expert_lsp" })[1].root_dir
end, debug.traceback)

results.ok = ok
results.error = ok and vim.NIL or tostring(err)
local handle = assert(io.open(out, "w"))
handle:write(vim.fn.json_encode(results))
handle:close()
for _, client in ipairs(vim.lsp.get_clients()) do
  client:stop(true)
end
vim.cmd("qall!")
