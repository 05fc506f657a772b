"""tactful analyzers: pure functions from text and paths to frozen dataclasses. Never imports server/ or pygls."""
