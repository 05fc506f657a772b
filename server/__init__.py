"""tactful server side: state and I/O (CLI, LSP, LLM client, caches, gate, feedback store)."""
