"""The non-UI layers must not pull in Textual: the CLI and the sandbox start fast without it, and the
headless CLI builds and writes table views (`sixtyfour_tui.table`) without a screen."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHECK = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    import sixtyfour_tui.api, sixtyfour_tui.jobs, sixtyfour_tui.workspace, sixtyfour_tui.commands, sixtyfour_tui.table
    import sixtyfour_tui.config, sixtyfour_tui.locations, sixtyfour_tui.atomic, sixtyfour_tui.schema
    import sixtyfour_tui.rules, sixtyfour_tui.sanitize, sixtyfour_tui.entities, sixtyfour_tui.destinations
    import sixtyfour_tui.filters, sixtyfour_tui.chips
    for package in (sixtyfour_tui.api, sixtyfour_tui.jobs, sixtyfour_tui.workspace, sixtyfour_tui.commands,
                    sixtyfour_tui.table):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    loaded = sorted(name for name in sys.modules if name == "textual" or name.startswith("textual."))
    print(",".join(loaded))
    """
)


def test_core_layers_do_not_import_textual() -> None:
    completed = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "", f"Textual was imported: {completed.stdout.strip()}"


def test_the_http_client_loads_without_httpx_command_line_tool() -> None:
    """httpx's CLI (click, pygments, rich.syntax) cost the app ~20 ms on the way to ready."""
    check = ("import sys, sixtyfour_tui.api.client, httpx; "
             "print(sorted(m for m in ('click', 'pygments', 'rich.syntax') if m in sys.modules)); "
             "print(callable(httpx.AsyncClient))")
    completed = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["[]", "True"]
