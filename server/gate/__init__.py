"""server.gate package."""
