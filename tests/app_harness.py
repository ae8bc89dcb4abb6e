"""Build the real app on a real sandbox for pilot tests, and wait on conditions inside them."""

from __future__ import annotations

from sixtyfour_tui.backend import SANDBOX_BACKEND, Backend
from sixtyfour_tui.config import Settings
from sixtyfour_tui.sandbox.config import SandboxConfig
from sixtyfour_tui.sandbox.server import SandboxServer
from sixtyfour_tui.ui.app import SixtyfourApp
from tests.terminal import RecordsNotices, screen_text  # noqa: F401 - the tests' view of the screen
from tests.waiting import focus_on, wait_until  # noqa: F401


class RecordingApp(RecordsNotices, SixtyfourApp):
    """The real app, remembering what it put on the clipboard and which URLs it opened."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.copied: list[str] = []
        self.opened: list[str] = []

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)
        super().copy_to_clipboard(text)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        self.opened.append(url)


def sandbox_backend(server: SandboxServer, poll_interval: float = 0.05) -> Backend:
    return Backend(base_url=server.base_url, api_key=server.api_key, label="Sandbox (local)",
                   workspace_key=SANDBOX_BACKEND, poll_interval=poll_interval, server=server)


def build_app(tmp_path, *, speed: float = 300.0, server: SandboxServer | None = None, **config) -> RecordingApp:
    if server is None:
        server = SandboxServer(SandboxConfig(speed=speed, requests_per_minute=0, **config)).start()
    settings = Settings(download_dir=tmp_path / "downloads")
    return RecordingApp(sandbox=True, settings=settings, backend=sandbox_backend(server),
                        workspace_path=tmp_path / "workspace.sqlite3")


async def submit_query(pilot, query: str, max_results: str | None = None) -> None:
    app = pilot.app
    app.query_one("#query").text = query
    if max_results is not None:
        app.query_one("#max-results").value = max_results
    await focus_on(pilot, app.query_one("#query"))
    await pilot.press("ctrl+s")
    await pilot.pause()
