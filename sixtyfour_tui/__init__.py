"""sixtyfour-tui: a terminal client for Sixtyfour's Deep Search API."""

__version__ = "0.1.0"
