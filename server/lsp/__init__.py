"""server.lsp package."""
