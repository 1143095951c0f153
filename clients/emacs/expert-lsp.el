;;; expert-lsp.el --- Use expert-lsp for Python through eglot -*- lexical-binding: t -*-

;; Load it from your init file:
;;   (load "/path/to/expert-lsp/clients/emacs/expert-lsp.el")
;;   (add-hook 'python-mode-hook #'eglot-ensure)
;; Debian: apt install elpa-eglot (Emacs 29+ ships eglot). eglot has no codeAction/resolve:
;; the server sends quick-fix edits with the actions; M-x eglot-code-actions applies them.

;;; Code:

(require 'eglot)

(defgroup expert-lsp nil
  "The expert-lsp Python language server."
  :group 'eglot)

(defcustom expert-lsp-command '("expert-lsp" "serve")
  "Command that starts expert-lsp over stdio."
  :type '(repeat string))

(defcustom expert-lsp-settings nil
  "Server settings (a plist with the camelCase keys of [tool.expert-lsp]).
Sent as initializationOptions, e.g. (:select [\"ASY\" \"SEC\"])."
  :type 'plist)

(defun expert-lsp--contact (_interactive)
  "The server command for eglot, with settings as initializationOptions."
  (append expert-lsp-command
          (when expert-lsp-settings
            (list :initializationOptions expert-lsp-settings))))

(add-to-list 'eglot-server-programs
             '((python-mode python-ts-mode) . expert-lsp--contact))

(provide 'expert-lsp)
;;; expert-lsp.el ends here
