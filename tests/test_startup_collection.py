"""`launch` pauses the garbage collector while the app starts; the app must resume it once ready
(or once it is clear it will not be), or a long session would never free a reference cycle."""

from __future__ import annotations

import gc

from sixtyfour_tui.ui.launch import resume_collection
from tests.app_harness import build_app, wait_until


def test_resuming_freezes_what_exists_and_turns_collection_back_on():
    gc.disable()
    try:
        resume_collection()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()


def test_resuming_when_collection_was_never_paused_changes_nothing():
    assert gc.isenabled()
    resume_collection()
    assert gc.get_freeze_count() == 0


async def test_the_app_resumes_collection_when_it_is_ready(tmp_path):
    app = build_app(tmp_path)
    gc.disable()  # as launch() leaves it
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot=pilot, condition=lambda: app.ready, what="backend ready")
            assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


async def test_httpx_loads_in_the_background_once_the_app_is_ready(tmp_path):
    """The client is built without httpx (it would cost "ready" ~50–100 ms); the app loads it just
    after, with no search asking for it, so the first search does not wait for it."""
    app = build_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready, what="backend ready")
        assert app.client is not None
        await wait_until(pilot=pilot, condition=lambda: app.client.loaded, what="the HTTP layer loaded")


async def test_a_search_sent_the_moment_the_app_is_ready_runs(tmp_path):
    """It may find the HTTP layer still loading in the app's thread: it waits for that, off the loop."""
    from tests.app_harness import submit_query

    app = build_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready, what="backend ready")
        await submit_query(pilot, "engineers in Berlin", max_results="20")
        job = await wait_until(pilot=pilot, condition=lambda: next(iter(app.engine.jobs()), None), what="a job")
        await wait_until(pilot=pilot, condition=lambda: app.engine.job(job.job_id).status == "completed",
                         what="the search finished")


async def test_the_app_spawns_the_deferred_sandbox_process_once_it_is_ready(tmp_path):
    """`launch` opens the sandbox's socket and leaves its process to the app: were it never
    spawned, this search would wait in the socket's backlog until the test timed out."""
    from sixtyfour_tui.config import Settings
    from sixtyfour_tui.sandbox.process import SandboxProcess
    from sixtyfour_tui.ui.app import SixtyfourApp
    from tests.app_harness import submit_query

    with SandboxProcess(speed=2000.0, deferred=True) as process:
        app = SixtyfourApp(sandbox=True, settings=Settings(download_dir=tmp_path / "downloads"),
                           sandbox_process=process, workspace_path=tmp_path / "workspace.sqlite3")
        async with app.run_test(size=(120, 40)) as pilot:
            assert process.pid is None  # nothing spawned before the app is ready
            await wait_until(pilot=pilot, condition=lambda: app.ready, what="backend ready")
            await submit_query(pilot, "engineers in Berlin", max_results="20")
            job = await wait_until(pilot=pilot, condition=lambda: next(iter(app.engine.jobs()), None), what="a job")
            await wait_until(pilot=pilot, condition=lambda: app.engine.job(job.job_id).status == "completed",
                             timeout=60, what="the search finished")
            assert process.alive


async def test_a_sandbox_process_that_fails_to_start_after_ready_is_reported(tmp_path):
    """Its process starts after "ready", so its failure cannot stop the start: it is shown, with
    what the process said."""
    from sixtyfour_tui.config import Settings
    from sixtyfour_tui.sandbox.process import SandboxProcess
    from sixtyfour_tui.ui.app import SixtyfourApp
    from sixtyfour_tui.ui.screens.error_modal import ErrorScreen
    from tests.terminal import screen_text

    with SandboxProcess(deferred=True, extra_args=["--speed", "0"]) as process:
        app = SixtyfourApp(sandbox=True, settings=Settings(download_dir=tmp_path / "downloads"),
                           sandbox_process=process, workspace_path=tmp_path / "workspace.sqlite3")
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot=pilot, condition=lambda: isinstance(app.screen, ErrorScreen),
                             what="the error screen")
            shown = await wait_until(pilot=pilot, condition=lambda: (text := screen_text(app))
                                     and "The sandbox stopped" in text and text, what="the error drawn")
            assert "greater than 0" in shown
