"""analyzers.callgraph.queries package."""
