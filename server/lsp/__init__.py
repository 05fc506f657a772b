"""tactful's language server: diff-aware review of open buffers, quick fixes, and feedback.

One module per capability: ``server`` (the server class that owns all state), ``handlers``
(``create_server``: thin LSP wiring), ``documents`` (buffer vs base revision), ``diagnostics``
(pull with result ids, push fallback, implicit feedback), ``code_actions``, ``commands``,
``config``, ``convert`` (model <-> LSP positions), ``feedback`` (the event interface) and
``logs``. Reviews run through the repository's :class:`tactful.server.session.ReviewSession`,
the same as the command line's. Start it with ``tactful lsp`` or ``python -m tactful.server.lsp``.
"""
