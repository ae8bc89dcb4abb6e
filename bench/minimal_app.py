"""The ttff baseline: the smallest Textual app that still looks like an app (Header, Static, Footer).

Run directly (`python bench/minimal_app.py`); its first frame shows MARKER.
"""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

MARKER = "bench-minimal-ready"


class MinimalApp(App):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(MARKER)
        yield Footer()


if __name__ == "__main__":
    MinimalApp().run()
