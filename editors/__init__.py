"""Editor clients shipped with tactful as package data (``tactful editor nvim`` prints the path)."""
