;;; Emacs 28 + eglot 1.9 (Debian elpa-eglot) as a real LSP client, headless (adapted from a
;;; tested recipe): diagnostics, a quick fix, hover, definition, references, completion, a
;;; build through the lens command (eglot-execute-command -> workspace/executeCommand) on the
;;; real engine, and rename (eglot-rename). Prints one JSON object.
;;; Usage: SERVER_JSON='["node","dist/server.js","--stdio"]' INIT_JSON='{...}' emacs --batch -q -l emacs-probe.el FILE
(require 'eglot)
(require 'json)
(define-derived-mode dockerfile-probe-mode prog-mode "Dockerfile")
(defvar probe-diags nil)
(defvar probe-messages nil)
(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql textDocument/publishDiagnostics)) &key diagnostics &allow-other-keys)
  (setq probe-diags diagnostics))
(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql window/showMessage)) &key message &allow-other-keys)
  (push message probe-messages))
(cl-defmethod eglot-initialization-options ((_s eglot-lsp-server))
  (json-parse-string (getenv "INIT_JSON") :object-type 'plist))
(let* ((file (car command-line-args-left))
       (buf (find-file-noselect file))
       (dir (file-name-directory (expand-file-name file)))
       (out nil))
  (setq command-line-args-left nil)
  (condition-case err
      (with-current-buffer buf
        (dockerfile-probe-mode)
        (let* ((server (eglot--connect '(dockerfile-probe-mode) (cons 'transient dir) 'eglot-lsp-server
                                       (append (json-parse-string (getenv "SERVER_JSON")) nil) "dockerfile"))
               (doc (eglot--TextDocumentIdentifier))
               (at (lambda (line ch) (list :textDocument doc :position (list :line line :character ch)))))
          (with-timeout (15 (error "no diagnostics"))
            (while (not probe-diags) (accept-process-output nil 0.05)))
          (push (cons 'diagnostics probe-diags) out)
          (let* ((d (aref probe-diags 0))
                 (actions (jsonrpc-request server :textDocument/codeAction
                                           (list :textDocument doc :range (plist-get d :range)
                                                 :context (list :diagnostics (vector d) :only ["quickfix"])))))
            (push (cons 'codeAction (plist-get (aref actions 0) :title)) out)
            (eglot--apply-workspace-edit (plist-get (aref actions 0) :edit)))
          (push (cons 'lineAfterFix (save-excursion (goto-char (point-min)) (forward-line 3) (buffer-substring-no-properties (point) (line-end-position)))) out)
          (push (cons 'hover (jsonrpc-request server :textDocument/hover (funcall at 4 14))) out)
          (push (cons 'definition (jsonrpc-request server :textDocument/definition (funcall at 4 14))) out)
          (push (cons 'references (jsonrpc-request server :textDocument/references
                                                   (append (funcall at 0 30) (list :context (list :includeDeclaration t))))) out)
          (let ((c (jsonrpc-request server :textDocument/completion (funcall at 4 12))))
            (push (cons 'completionLabels (mapcar (lambda (i) (plist-get i :label)) (if (vectorp c) c (plist-get c :items)))) out))
          (let* ((lenses (jsonrpc-request server :textDocument/codeLens (list :textDocument doc)))
                 (lens (seq-find (lambda (l) (equal (plist-get (plist-get l :command) :title) "Build target base")) lenses))
                 (cmd (plist-get lens :command)))
            (push (cons 'lensCommand (plist-get cmd :command)) out)
            (eglot-execute-command server (plist-get cmd :command) (plist-get cmd :arguments))
            (with-timeout ((string-to-number (or (getenv "BUILD_TIMEOUT_S") "240")) nil)
              (while (not (seq-find (lambda (m) (string-match-p "^Built \\|failed\\|not reachable" m)) probe-messages))
                (accept-process-output nil 0.2))))
          (push (cons 'messages (vconcat (reverse probe-messages))) out)
          (goto-char (point-min)) (forward-char 30)
          (eglot-rename "builder")
          (push (cons 'linesAfterRename (vconcat (split-string (buffer-substring-no-properties (point-min) (point-max)) "\n"))) out)
          (eglot-shutdown server)))
    (error (push (cons 'errors (vector (format "%S" err))) out)))
  (princ (concat (json-encode out) "\n")))
