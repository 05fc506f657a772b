"""server.data package."""
