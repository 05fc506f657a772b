"""server.llm package."""
