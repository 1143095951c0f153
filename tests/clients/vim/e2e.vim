" Vim + ALE against expert-lsp: the diagnostic, then ALE's own code-action flow
" (ale#codefix#Execute) picking the asyncio.sleep quick fix, which must carry its edit
" (ALE has no codeAction/resolve). Results are written as JSON for pytest.
let s:results = {'ok': v:false}
let s:picked = 0

function! s:Wait(what, expr) abort
  let l:start = reltime()
  while !eval(a:expr)
    if reltimefloat(reltime(l:start)) > 30
      throw 'timed out waiting for ' . a:what
    endif
    " Vim handles channel messages while it sleeps.
    sleep 20m
  endwhile
endfunction

function! s:Diagnostics() abort
  return filter(copy(ale#engine#GetLoclist(bufnr(''))), 'v:val.linter_name is# "expert_lsp"')
endfunction

function! s:Pick(data, items) abort
  let s:results.titles = map(copy(a:items), 'v:val[1].title')
  for l:item in a:items
    if l:item[1].title =~# 'asyncio\.sleep'
      let s:results.eager_edit = has_key(l:item[1], 'edit') ? v:true : v:false
      call ale#codefix#ApplyLSPCodeAction(a:data, l:item[1])
      break
    endif
  endfor
  let s:picked = 1
endfunction

try
  execute 'edit ' . fnameescape($EXPERT_LSP_SAMPLE_FILE)
  ALELint
  call s:Wait('diagnostics', '!empty(s:Diagnostics())')
  let s:diagnostic = s:Diagnostics()[0]
  let s:results.diagnostic = s:diagnostic.text
  let s:results.code = get(s:diagnostic, 'code', '')
  let s:results.lnum = s:diagnostic.lnum
  call cursor(s:diagnostic.lnum, s:diagnostic.col)
  call ale#codefix#Execute(0, function('s:Pick'))
  call s:Wait('code actions', 's:picked')
  let s:results.text_after_fix = join(getline(1, '$'), "\n")
  let s:results.ok = v:true
catch
  let s:results.error = v:exception . ' at ' . v:throwpoint
endtry
call writefile([json_encode(s:results)], $EXPERT_LSP_RESULTS)
qall!
