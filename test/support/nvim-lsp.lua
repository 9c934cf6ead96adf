-- Neovim's built-in LSP client against `netra-migrate server` (test/nvim.test.ts): open a file, wait for the
-- diagnostics, apply the code action named by NM_ACTION through vim.lsp.buf.code_action, `:w`, and write what
-- happened to NM_OUT as JSON. Runs on Neovim 0.7 (Debian 12) and later.
local root, out = vim.env.NM_ROOT, vim.env.NM_OUT
local result = { codes = {}, applied = false }
local function finish()
  vim.fn.writefile({ vim.fn.json_encode(result) }, out)
  vim.cmd('qa!')
end

local client_id = vim.lsp.start_client({
  name = 'netra-migrate',
  cmd = { vim.env.NM_NODE, vim.env.NM_CLI, 'server' },
  root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = 'project' } },
  settings = { ['netra-migrate'] = {} },
  init_options = { debounceMs = 20 },
})
vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/' .. vim.env.NM_FILE))
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, client_id)

local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end
local target
vim.wait(60000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if code_of(d) == vim.env.NM_RULE then target = d end
  end
  return target ~= nil
end, 50)
for _, d in ipairs(vim.diagnostic.get(buf)) do table.insert(result.codes, code_of(d)) end
if target == nil then return finish() end

-- The user picks the action by its title from the menu code_action shows.
vim.ui.select = function(items, _, on_choice)
  for i, item in ipairs(items) do
    local action = item.action or item[2]
    if action.title == vim.env.NM_ACTION then
      result.applied = true
      return on_choice(item, i)
    end
  end
  result.titles = vim.tbl_map(function(item) return (item.action or item[2]).title end, items)
  on_choice(nil)
end
vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
local before = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
vim.lsp.buf.code_action()
vim.wait(30000, function()
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') ~= before
end, 50)
vim.cmd('write')
finish()
