"""analyzers.queries package."""
