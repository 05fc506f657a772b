"""analyzers.callgraph package."""
