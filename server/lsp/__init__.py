"""tactful's language server: diff-aware review of open buffers, quick fixes, and feedback.

One module per capability: ``server`` (the server class that owns all state, and
``create_server``), ``handlers`` (thin LSP wiring), ``documents`` (buffer vs base revision),
``review`` (the pipeline in a thread, late stages delivered progressively), ``diagnostics``
(pull with result ids, push fallback, implicit feedback), ``code_actions``, ``commands``,
``config``, ``convert`` (model <-> LSP positions), ``feedback`` (the event interface) and
``logs``. Start it with ``tactful lsp`` or ``python -m tactful.server.lsp``.
"""
