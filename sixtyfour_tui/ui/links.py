"""Open a row's link in a browser when there is one; otherwise say so and copy it instead.

On a server over SSH there is often no browser at all, and a toast saying "Opened" would be a lie.
"""

from __future__ import annotations

import webbrowser

from sixtyfour_tui.ui.clipboard import copy_text


def browser_available() -> bool:
    """A browser that opens beside us; a text browser (lynx, w3m) would take over this terminal."""
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    return type(browser) is not webbrowser.GenericBrowser


async def open_link(app, url: str) -> None:
    if app.is_web or browser_available():
        app.open_url(url)
        app.notify(f"Opened {url}", markup=False)
        return
    outcome = await copy_text(app, url)
    app.notify(f"No web browser found here. {outcome.describe('the link')}: {url}", markup=False, timeout=8)
