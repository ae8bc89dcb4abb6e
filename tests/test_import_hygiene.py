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


LAZY_CLIENT = textwrap.dedent(
    """
    import asyncio, sys
    from sixtyfour_tui.backend import Backend, SANDBOX_BACKEND
    from sixtyfour_tui.jobs.engine import JobEngine
    from sixtyfour_tui.api.errors import NotFoundError

    client = Backend(base_url=sys.argv[1], api_key=sys.argv[2], label="l", workspace_key=SANDBOX_BACKEND,
                     poll_interval=1.0).client()
    print("before", "httpx" in sys.modules, "httpcore" in sys.modules, client.loaded)
    built = []
    from sixtyfour_tui.api import session
    original = session.HttpSession.__init__
    def counting(self, **options):
        built.append(1)
        original(self, **options)
    session.HttpSession.__init__ = counting

    async def status():
        try:
            await client.task_status("no-such-task")
        except NotFoundError:
            return "not found"

    async def main():
        async with client:
            return await asyncio.gather(status(), status(), status())

    print("answers", *asyncio.run(main()))
    print("after", "httpx" in sys.modules, client.loaded, len(built))
    """
)


def test_the_client_loads_httpx_on_its_first_request_not_before(fast_sandbox) -> None:
    """httpx and httpcore cost ~50–100 ms on the way to "ready": the client is built without them,
    and concurrent first requests share one connection pool."""
    completed = subprocess.run([sys.executable, "-c", LAZY_CLIENT, fast_sandbox.base_url, fast_sandbox.api_key],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "before False False False",
        "answers not found not found not found",
        "after True True 1",
    ]
