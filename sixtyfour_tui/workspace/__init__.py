"""The workspace: one SQLite store shared by every TUI and headless command (see store.py)."""
