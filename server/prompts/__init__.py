"""server.prompts package."""
