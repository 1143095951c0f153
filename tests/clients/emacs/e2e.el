;;; e2e.el --- eglot against expert-lsp, run by tests/clients/test_emacs_vim.py -*- lexical-binding: t -*-
;; Opens the sample file with eglot and clients/emacs/expert-lsp.el, waits for the flymake
;; diagnostic, asks for code actions the way `eglot-code-actions' does and applies the quick fix
;; (eglot 1.9 has no codeAction/resolve: the edit must come with the action). Results -> JSON.
(require 'eglot)
(require 'json)

(defvar expert-e2e-results nil)

(defun expert-e2e-wait (what predicate)
  "Pump process output until PREDICATE is true; fail after 30 s naming WHAT."
  (let ((deadline (+ (float-time) 30)))
    (while (not (funcall predicate))
      (when (> (float-time) deadline)
        (error "timed out waiting for %s" what))
      (accept-process-output nil 0.05))))

(defun expert-e2e-put (key value)
  (push (cons key value) expert-e2e-results))

(defun expert-e2e-scenario ()
  (setq expert-lsp-command (append (json-read-from-string (getenv "EXPERT_LSP_SERVER_CMD")) nil))
  (load (getenv "EXPERT_LSP_EMACS_CLIENT"))
  (progn
    (find-file (getenv "EXPERT_LSP_SAMPLE_FILE"))
    ;; `eglot-ensure' waits for an idle command loop that batch mode never has.
    (apply #'eglot (eglot--guess-contact))
    (expert-e2e-wait "the server" (lambda () (eglot-current-server)))
    (flymake-start)
    (expert-e2e-wait "diagnostics"
                     (lambda () (flymake-start) (flymake-diagnostics)))
    (let* ((diag (car (flymake-diagnostics)))
           (lsp (cdr (assoc 'eglot-lsp-diag (eglot--diag-data diag))))
           (beg (flymake-diagnostic-beg diag))
           (end (flymake-diagnostic-end diag)))
      (expert-e2e-put 'diagnostic (flymake-diagnostic-text diag))
      (expert-e2e-put 'code (plist-get lsp :code))
      (expert-e2e-put 'line (1- (line-number-at-pos beg)))
      (let* ((actions (eglot-code-actions beg end nil nil))
             (fix (seq-find (lambda (a) (string-match-p "asyncio.sleep" (plist-get a :title)))
                            actions)))
        (expert-e2e-put 'titles (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
        (unless fix (error "no asyncio.sleep quick fix"))
        (expert-e2e-put 'eager_edit (if (plist-get fix :edit) t :json-false))
        (eglot--apply-workspace-edit (plist-get fix :edit))
        (expert-e2e-put 'text_after_fix
                        (buffer-substring-no-properties (point-min) (point-max)))))))

(let ((out (getenv "EXPERT_LSP_RESULTS")))
  (condition-case err
      (progn (expert-e2e-scenario) (expert-e2e-put 'ok t))
    (error (expert-e2e-put 'ok :json-false)
           (expert-e2e-put 'error (error-message-string err))))
  (with-temp-file out (insert (json-encode expert-e2e-results)))
  (ignore-errors (eglot-shutdown (eglot-current-server)))
  (kill-emacs 0))
;;; e2e.el ends here
