"""analyzers.checks package."""
