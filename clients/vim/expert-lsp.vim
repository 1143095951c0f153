" expert-lsp for Vim with ALE (Debian: apt install vim-ale). Source this file from your vimrc:
"   source /path/to/expert-lsp/clients/vim/expert-lsp.vim
" Set g:expert_lsp_command first to use another command (default: expert-lsp serve).
" ALE does not support codeAction/resolve: the server sends quick-fix edits eagerly.
let g:expert_lsp_command = get(g:, 'expert_lsp_command', ['expert-lsp', 'serve'])

function! s:ExpertLspRoot(buffer) abort
  for l:marker in ['pyproject.toml', 'setup.py', 'setup.cfg', '.git']
    let l:found = ale#path#FindNearestFile(a:buffer, l:marker)
    if empty(l:found)
      let l:found = ale#path#FindNearestDirectory(a:buffer, l:marker)
    endif
    if !empty(l:found)
      return fnamemodify(substitute(l:found, '/$', '', ''), ':h')
    endif
  endfor
  return expand('#' . a:buffer . ':p:h')
endfunction

call ale#linter#Define('python', {
\   'name': 'expert_lsp',
\   'lsp': 'stdio',
\   'executable': {-> g:expert_lsp_command[0]},
\   'command': {-> join(map(copy(g:expert_lsp_command), 'ale#Escape(v:val)'))},
\   'project_root': function('s:ExpertLspRoot'),
\})

" Keep other Python linters: add expert_lsp to the ones already chosen.
let g:ale_linters = get(g:, 'ale_linters', {})
let g:ale_linters.python = get(g:ale_linters, 'python', []) + ['expert_lsp']
