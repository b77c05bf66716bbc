-- Headless Neovim (0.7+, Debian's) as a real LSP client of the server (adapted from a
-- tested recipe): diagnostics, a quick fix, hover, definition, references, completion,
-- a build through the lens command (vim.lsp.codelens.run -> workspace/executeCommand)
-- on the real engine, and rename. Prints one JSON object; the test asserts on it.
-- Usage: SERVER_JSON='["node","dist/server.js","--stdio"]' INIT_JSON='{...}' \
--   nvim --headless -u NONE -i NONE -n -c 'luafile nvim-probe.lua' Dockerfile
local out = { errors = {} }
local function log(k, v) out[k] = v end
local ok, err = pcall(function()
  local buf = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(buf)
  local diags = nil
  local messages = {}
  local id = vim.lsp.start_client({
    name = 'dockerfile-stages', cmd = vim.fn.json_decode(os.getenv('SERVER_JSON')), root_dir = vim.fn.getcwd(),
    init_options = vim.fn.json_decode(os.getenv('INIT_JSON')),
    handlers = {
      ['textDocument/publishDiagnostics'] = function(_, result) if result.uri == uri then diags = result.diagnostics end end,
      ['window/showMessage'] = function(_, result) table.insert(messages, result) end,
    },
  })
  vim.bo[buf].filetype = 'dockerfile'
  vim.lsp.buf_attach_client(buf, id)
  local client = vim.lsp.get_client_by_id(id)
  assert(vim.wait(15000, function() return client.initialized end, 50), 'server did not initialize')
  log('positionEncoding', client.server_capabilities.positionEncoding)
  local function req(method, params)
    local res = vim.lsp.buf_request_sync(buf, method, params, 15000)
    return res and res[id] and res[id].result
  end
  local function at(line, character) return { textDocument = { uri = uri }, position = { line = line, character = character } } end
  assert(vim.wait(15000, function() return diags ~= nil and #diags > 0 end, 50), 'no diagnostics')
  log('diagnostics', diags)
  local casing = nil
  for _, d in ipairs(diags) do if d.code == 'stage-name-casing' then casing = d end end
  local actions = req('textDocument/codeAction', { textDocument = { uri = uri }, range = casing.range, context = { diagnostics = { casing }, only = { 'quickfix' } } })
  log('codeActionTitles', vim.tbl_map(function(a) return a.title end, actions or {}))
  vim.lsp.util.apply_workspace_edit(actions[1].edit, 'utf-16')
  log('lineAfterFix', vim.api.nvim_buf_get_lines(buf, 3, 4, false)[1])
  local hover = req('textDocument/hover', at(4, 14))
  log('hover', hover and hover.contents)
  log('definition', req('textDocument/definition', at(4, 14)))
  log('references', req('textDocument/references', { textDocument = { uri = uri }, position = { line = 0, character = 30 }, context = { includeDeclaration = true } }))
  local comp = req('textDocument/completion', at(4, 12))
  local items = comp and (comp.items or comp) or {}
  log('completionLabels', vim.tbl_map(function(i) return i.label end, items))
  -- The lens on line 1 (Build target base) runs through the server's command.
  vim.lsp.codelens.refresh()
  assert(vim.wait(15000, function() return #vim.lsp.codelens.get(buf) > 0 end, 50), 'no code lenses')
  log('lenses', vim.tbl_map(function(l) return { line = l.range.start.line, title = l.command.title, command = l.command.command } end, vim.lsp.codelens.get(buf)))
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.lsp.codelens.run()
  vim.wait(tonumber(os.getenv('BUILD_TIMEOUT_MS') or '240000'), function()
    for _, m in ipairs(messages) do if m.message:match('^Built ') or m.message:match('failed') or m.message:match('not reachable') then return true end end
    return false
  end, 200)
  log('messages', messages)
  local edit = req('textDocument/rename', { textDocument = { uri = uri }, position = { line = 0, character = 30 }, newName = 'builder' })
  vim.lsp.util.apply_workspace_edit(edit, 'utf-16')
  log('linesAfterRename', vim.api.nvim_buf_get_lines(buf, 0, -1, false))
  vim.lsp.stop_client(id)
end)
if not ok then table.insert(out.errors, tostring(err)) end
io.stdout:write(vim.fn.json_encode(out) .. '\n')
vim.cmd('qall!')
