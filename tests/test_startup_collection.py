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
