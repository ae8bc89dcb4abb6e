"""The Textual app: composer and jobs on top, results below, the engine behind them.

The first frame is drawn before anything slow happens. The embedded sandbox is its own process
(spawned by the launcher); after the first paint a thread worker opens the workspace, loads httpx
for the client and reads what the engine starts from, so the UI thread only shows the result.

Layout follows the terminal's size (breakpoint classes on the screen): at 80x24 the top row
shrinks so the results keep a dozen rows, and `z` zooms the focused panel to the whole screen.
What the user arranges (zoom, theme, columns, max results, the open search) is remembered in
the settings file's `[ui]` table; `[keymap]` remaps any binding by its id.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.text import Text
from textual import constants as textual_constants
from textual import work
from textual.actions import ActionParseResult
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Static

from sixtyfour_tui.config import Settings, UiState
from sixtyfour_tui.ui.engine_messages import (
    BackendFailed,
    BackendReady,
    JobChanged,
    JobRemoved,
    RowsCounted,
    StorageNotice,
)
from sixtyfour_tui.ui.launch import STARTUP_COLLECTION_LIMIT, resume_collection
from sixtyfour_tui.ui.widgets.composer import Composer
from sixtyfour_tui.ui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from sixtyfour_tui.api.client import SixtyfourClient
    from sixtyfour_tui.jobs.engine import JobEngine, StartState
    from sixtyfour_tui.jobs.records import JobRecord
    from sixtyfour_tui.ui.screens.confirm import ConfirmScreen
    from sixtyfour_tui.ui.widgets.jobs_panel import JobsPanel
    from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser
    from sixtyfour_tui.workspace.store import Workspace

log = logging.getLogger("sixtyfour_tui.ui")

ZOOMABLE = ("results", "jobs")
OLDER_JOBS_PAGE = 200
"""Older jobs loaded per request (`m` in the jobs panel), like the newest ones at the start."""
FRAME_SECONDS = 1 / textual_constants.MAX_FPS
"""Textual's frame interval (60 fps unless TEXTUAL_FPS says otherwise)."""
MESSAGES_KEPT = 50


class Notice(NamedTuple):
    """A toast as it was said, with the details it left out (F9 shows them)."""

    at: float
    severity: str
    text: str
    details: str | None

if TYPE_CHECKING:
    from sixtyfour_tui.filters import Condition, FieldCatalog
    from sixtyfour_tui.jobs.records import Exclusions, JobRecord
    from sixtyfour_tui.ui.screens.filter_builder import FilterRun
    from sixtyfour_tui.ui.screens.refine_screen import RefineRun

TOAST_LIMIT = 400


def _breakpoint(size: int, breakpoints: list[tuple[int, str]]) -> str:
    """The class Textual gives the screen for `size`: the one with the largest threshold reached."""
    reached = [(threshold, name) for threshold, name in breakpoints if size >= threshold]
    return max(reached)[1] if reached else ""


def _commands_provider():
    from sixtyfour_tui.ui.commands import SixtyfourCommands

    return SixtyfourCommands


class MainScreen(Screen):
    """The composer, jobs and results. Its focus starts in the query box; every other screen keeps
    Textual's default (its first focusable widget), so a dialog opens with something to type in
    or scroll."""

    AUTO_FOCUS = "#query"


class SixtyfourApp(App):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "sixtyfour"
    COMMANDS = App.COMMANDS | {lambda: _commands_provider()}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-medium"), (50, "-tall")]
    # The footer shows what fits in this order (after the focused panel's keys), so the most
    # useful app keys come first; undo and "open finished" show only while they apply.
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+z", "undo_remove", "Undo remove", id="app.undo_remove"),
        Binding("ctrl+g", "open_finished", "Open finished", id="app.open_finished"),
        Binding("z", "toggle_zoom", "Zoom", id="app.zoom"),
        Binding("ctrl+q", "quit_app", "Quit", id="app.quit", priority=True),
        Binding("ctrl+r", "history", "History", id="app.history"),
        Binding("e", "export", "Export", id="app.export"),
        Binding("f2", "settings", "Settings", id="app.settings"),
        Binding("f9", "messages", "Messages", show=False, id="app.messages"),
        Binding("ctrl+n", "new_search", "New search", show=False, id="app.new_search"),
        Binding("f3", "focus_jobs", "Jobs", show=False, id="app.focus_jobs"),
        Binding("f4", "focus_results", "Results", show=False, id="app.focus_results"),
        Binding("r", "refine", "Refine", show=False, id="app.refine"),
        Binding("f5", "filter_search", "Filter search", show=False, id="app.filter_search"),
        Binding("X", "exclusion_sets", "Exclusion sets", show=False, id="app.exclusion_sets"),
        Binding("D", "compare_searches", "Compare searches", show=False, id="app.compare_searches"),
    ]

    def __init__(self, *, sandbox: bool = False, settings: Settings | None = None, backend=None,
                 workspace_path: Path | None = None, sandbox_process=None) -> None:
        super().__init__()
        self.want_sandbox = sandbox
        self.sandbox_process = sandbox_process  # its socket opened by launch(), its process spawned once ready
        self.settings = settings
        self.backend = backend  # a ready Backend (tests pass one); else one is started after mount
        self.workspace_path = workspace_path
        self.workspace: Workspace | None = None
        self.engine: JobEngine | None = None
        self.client: SixtyfourClient | None = None
        self._pending: list[Composer.Submitted] = []
        self._opened_job_id: str | None = None
        self._closed_by_removal: str | None = None
        """The open search that a removal closed: undoing the removal opens it again."""
        self._quit_question: ConfirmScreen | None = None
        """The quit question while it is open: it recounts the searches as they end."""
        self._topbar_line: Text | None = None
        self._undo: tuple[str, float] | None = None
        self._bring_back: str | None = None  # a job being undone: the cursor goes to it when it returns
        self._open_when_done: str | None = None  # enter on a running job: open it when it completes
        self._finished: str | None = None  # the job that finished last in the background (ctrl+g opens it)
        self._announced: set[str] = set()
        self._zoomed: str | None = None
        self._ui = settings.ui if settings is not None else UiState()
        self._results_mounting = asyncio.Lock()
        self._jobs_mounting = asyncio.Lock()
        self._quitting = False
        self._theme_choice = settings.theme if settings is not None else None
        self._preferences_lock = threading.Lock()
        self._columns_shown: tuple[str, str, list[str]] | None = None  # (job id, mode, columns) as last seen
        self._messages: deque[Notice] = deque(maxlen=MESSAGES_KEPT)
        self._next_details: str | None = None
        self._toasts_until = 0.0
        self.ready = False
        """True once the backend is connected and the workspace's jobs are on screen."""

    # -- layout ---------------------------------------------------------------------------------
    @property
    def connected(self) -> tuple[JobEngine, Workspace]:
        """The engine and the workspace, for what can only run once they exist (a job on screen, a
        key the footer offers only then): reaching here without them is a bug, and says so."""
        if self.engine is None or self.workspace is None:
            raise RuntimeError("the backend is not connected yet")
        return self.engine, self.workspace

    @property
    def main_screen(self):
        """The screen under any modal: job events must reach it whatever is on top."""
        return self.screen_stack[0]

    def _jobs_panel(self) -> JobsPanel | None:
        """The jobs panel, or None before it is mounted and after the screens are gone (closing)."""
        stack = self.screen_stack
        from sixtyfour_tui.ui.widgets.jobs_panel import JobsPanel

        panels = stack[0].query(JobsPanel) if stack and not self._quitting else None
        return panels.first() if panels else None

    def get_driver_class(self) -> type[Driver]:
        """Textual's choice, except that its Linux/macOS driver becomes the quiet one (an input
        thread that sleeps between keys); a driver named in TEXTUAL_DRIVER is kept as it is."""
        chosen = super().get_driver_class()
        if sys.platform == "win32":
            return chosen
        from textual.drivers.linux_driver import LinuxDriver

        from sixtyfour_tui.ui.terminal_driver import QuietLinuxDriver

        return QuietLinuxDriver if chosen is LinuxDriver else chosen

    def get_default_screen(self) -> Screen:
        """The main screen, born with the breakpoint classes of the terminal's size: Textual sets
        them on the first resize, and a class change there would restyle every widget once more
        before the first frame."""
        width, height = self.size
        classes = {_breakpoint(width, self.HORIZONTAL_BREAKPOINTS), _breakpoint(height, self.VERTICAL_BREAKPOINTS)}
        return MainScreen(id="_default", classes=" ".join(sorted(name for name in classes if name)))

    def compose(self) -> ComposeResult:
        yield Static(Text("sixtyfour · connecting…"), id="topbar")
        with Horizontal(id="top"):
            yield Composer(id="composer", classes="-focus-within")  # the query takes the first focus
            yield Vertical(id="jobs-slot")
        yield Vertical(id="results-slot")
        yield KeysFooter(id="footer")

    def on_mount(self) -> None:
        if self.settings is not None:
            self._apply_preferences(self.settings)
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.app_resume_signal.subscribe(self, self._redraw_after_resume)
        self.set_timer(STARTUP_COLLECTION_LIMIT, resume_collection)

    async def on_ready(self) -> None:
        """The first frame is on screen (Textual sends Ready straight after drawing it; an
        after-refresh callback would wait for the next frame's turn, ~16 ms later)."""
        await self._mount_panels()

    async def _mount_panels(self) -> None:
        """The jobs panel arrives just after the first frame, the results browser once the app is
        ready: what "ready" needs (the backend, the workspace, the jobs) comes first. The backend
        thread starts before the panel mounts, so the two overlap."""
        self._connect()
        await self._mount_jobs_panel()

    async def _mount_jobs_panel(self) -> None:
        from sixtyfour_tui.ui.widgets.jobs_panel import JobsPanel

        async with self._jobs_mounting:  # after the first frame, and by a backend that came first
            if not self.main_screen.query("#jobs"):
                await self.main_screen.query_one("#jobs-slot").mount(JobsPanel(id="jobs"))

    async def _mount_results(self) -> None:
        from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

        async with self._results_mounting:  # the engine's start and an early open_job both get here
            if self.main_screen.query("#results"):
                return
            browser = ResultsBrowser(id="results")
            browser.preferred_columns = dict(self._ui.columns)
            await self.main_screen.query_one("#results-slot").mount(browser)
            if self._ui.zoomed in ZOOMABLE:
                self._set_zoom(self._ui.zoomed, remember=False)

    # -- backend and engine -----------------------------------------------------------------------
    def _connect(self) -> None:
        if self.backend is not None:
            self._start_backend(self.backend.is_sandbox)  # the workspace still opens off the UI thread
            return
        if self.settings is None:
            from sixtyfour_tui.config import ConfigError, load_settings

            try:
                self.settings = load_settings()
            except ConfigError as problem:
                self._show_error("Configuration problem", str(problem))
                self.settings = Settings()
            self._ui, self._theme_choice = self.settings.ui, self.settings.theme
            self._apply_preferences(self.settings)
        if not self.want_sandbox and not self.settings.api_key:
            from sixtyfour_tui.ui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(), self._welcome_answered)
            resume_collection()  # the app now waits for the user, not for itself
            return
        self._start_backend(self.want_sandbox)

    def _welcome_answered(self, answer) -> None:
        if answer == "quit" or answer is None:
            self.exit()
            return
        if answer == "sandbox":
            self._start_backend(True)
            return
        _, key = answer
        from sixtyfour_tui.config import replace

        self.settings = replace(self.settings or Settings(), api_key=key)
        self._start_backend(False)

    @work(thread=True, group="backend", exit_on_error=False)
    def _start_backend(self, sandbox: bool) -> None:
        """Off the UI thread: the backend, the workspace's first open, the client and the engine's
        start read (its jobs, and the unfinished ones it claims)."""
        from sixtyfour_tui.backend import NoApiKey, real_backend, sandbox_backend

        backend = self.backend
        if backend is None:
            settings = self.settings or Settings()
            try:
                backend = (sandbox_backend(settings, self.sandbox_process) if sandbox
                           else real_backend(settings))
            except (NoApiKey, OSError, RuntimeError, ValueError) as problem:
                self.post_message(BackendFailed(str(problem)))
                return
        from sixtyfour_tui.logs import redact_in_logs
        from sixtyfour_tui.workspace.database import StorageError
        from sixtyfour_tui.workspace.store import Workspace

        redact_in_logs(backend.api_key)
        workspace = Workspace(self.workspace_path)
        refusal: str | None = None
        try:
            workspace.open()
        except StorageError as refused:
            refusal = refused.message
        from sixtyfour_tui.jobs.engine import JobEngine

        client = backend.client()  # without httpx yet: `_after_ready` brings it once the app is ready
        engine = JobEngine(client, workspace, backend=backend.workspace_key,
                           poll_interval=backend.poll_interval, spawn=self._spawn)
        start = engine.read_start()
        self.call_from_thread(self._attach_backend, backend, workspace, refusal, client, engine, start)

    @work(thread=True, group="backend", exit_on_error=False)
    def _after_ready(self) -> None:
        """What waits for "ready", so as not to compete with the app's start for the cores: the
        embedded sandbox's process, spawned on the socket `launch` opened (requests sent before wait
        in its backlog), then httpx and its connection pool (~50–100 ms; a search sent sooner loads
        them itself, see `SixtyfourClient.load`)."""
        from sixtyfour_tui.backend import READY_TIMEOUT
        from sixtyfour_tui.sandbox.process import SandboxStartError

        process, problem = self.sandbox_process, None
        if process is not None:
            try:
                process.release()
            except OSError as error:
                problem = f"The sandbox's process could not be started: {error.strerror or error}"
        if self.client is not None:
            self.client.load()
        if process is not None and problem is None:
            try:
                process.wait_started(timeout=READY_TIMEOUT)
            except (SandboxStartError, OSError, ValueError) as error:  # OSError: stopped meanwhile
                problem = str(error)
        if problem and self.is_running and not self._quitting:  # not while the app is closing
            self.call_from_thread(self._show_error, "The sandbox stopped", problem)

    def _attach_backend(self, backend, workspace, problem: str | None, client: SixtyfourClient,
                        engine: JobEngine, start: StartState) -> None:
        self.backend = backend
        self.workspace = workspace
        self.client = client
        for notice in workspace.notices:
            self.say(self._without_path(notice), details=notice,
                     severity="error" if workspace.recovered_from else "information", timeout=12)
        if problem:
            self.say(self._without_path(problem), severity="error", timeout=12,
                     details=f"{problem} Jobs are kept in memory and saved once the disk allows.")
        self.engine = engine
        engine.subscribe(self._engine_event)
        self.run_worker(self._start_engine(start), name="engine-start", group="engine", exit_on_error=False)

    async def _start_engine(self, start: StartState) -> None:
        engine = self.engine
        if engine is None:
            return
        await self._mount_jobs_panel()  # the backend may have been quicker than the panel
        await engine.start(state=start)
        jobs = self.main_screen.query_one("#jobs")
        for job in engine.jobs():
            jobs.show_job(job, engine.queue_position(job.job_id))
        from sixtyfour_tui.workspace.store import RECENT_JOBS  # loaded by now (the backend thread)

        jobs.has_older = len(start.known) >= RECENT_JOBS  # fewer: the workspace holds no more
        if jobs.row_count:
            jobs.move_cursor(row=jobs.row_count - 1)  # the newest (and any resumed) jobs in view
        self._update_topbar()
        self.post_message(BackendReady(self.backend.label, self.backend.is_sandbox))
        pending, self._pending = self._pending, []
        for submitted in pending:
            self._submit(submitted)
        # The top bar says "0/5 running" before more work starts. Not `wait_for_refresh`: an App
        # run by `run()` (not `run_test`) has no task of its own, and that helper asserts one.
        # An after-refresh callback can run before the top bar's repaint has reached the screen
        # (the bar's update is still a message away), so a frame's time is given on top.
        painted = asyncio.Event()
        self.call_after_refresh(painted.set)
        await painted.wait()
        await asyncio.sleep(FRAME_SECONDS)
        await self._mount_results()
        self.ready = True
        resume_collection()
        self._after_ready()
        await self._show_stored_counts([job.job_id for job in engine.jobs()])

    async def _show_stored_counts(self, job_ids: list[str]) -> None:
        import asyncio

        from sixtyfour_tui.workspace.database import StorageError

        if self.workspace is None:
            return
        try:
            counts = await asyncio.to_thread(self.workspace.stored_counts, job_ids)
        except StorageError:
            return
        jobs = self.main_screen.query_one("#jobs")
        for job_id, (stored, new, seen) in counts.items():
            jobs.show_counts(job_id, stored, new, seen)

    def _spawn(self, coroutine, name: str, group: str):
        return self.run_worker(coroutine, name=name, group=group, exit_on_error=False)

    def _engine_event(self, event) -> None:
        from sixtyfour_tui.jobs.events import JobForgotten, JobUpdated, RowsStored, StorageTrouble

        if isinstance(event, JobUpdated):
            self.post_message(JobChanged(event.job, event.queue_position))
        elif isinstance(event, JobForgotten):
            self.post_message(JobRemoved(event.job_id))
        elif isinstance(event, RowsStored):
            self.post_message(RowsCounted(event.job_id, event.stored, event.new, event.seen))
        elif isinstance(event, StorageTrouble):
            self.post_message(StorageNotice(event.message))

    def on_backend_ready(self, message: BackendReady) -> None:
        self._update_topbar()
        if message.is_sandbox:
            # After the frame that shows the app ready: a toast's mount would hold that frame back.
            self.call_after_refresh(self.say, "Local sandbox: synthetic data, no API key needed", timeout=4)
        engine = self.engine
        if engine is None:
            return
        jobs = self.main_screen.query_one("#jobs")
        jobs.refresh_queue(engine.queue_position)
        last = engine.job(self._ui.last_job_id) if self._ui.last_job_id else None
        if last is not None and last.status == "completed" and self._opened_job_id is None:
            self.open_job(last.job_id)  # the search that was open when the app last closed
            if last.job_id in jobs.job_ids:
                jobs.move_cursor(jobs.job_ids.index(last.job_id))

    def on_backend_failed(self, message: BackendFailed) -> None:
        resume_collection()
        self.main_screen.query_one("#topbar", Static).update(Text("sixtyfour · not connected (see the error)"))
        self.run_worker(self._mount_results(), group="results-mount", exit_on_error=False)
        self._show_error("Could not connect", message.message)

    def on_job_changed(self, message: JobChanged) -> None:
        jobs = self._jobs_panel()
        if jobs is None:
            return  # shutting down
        job = message.job
        jobs.show_job(job, message.queue_position)
        if self.engine is not None:
            jobs.refresh_queue(self.engine.queue_position)
        if job.job_id == self._bring_back and job.job_id in jobs.job_ids:
            self._bring_back = None
            jobs.move_cursor(jobs.job_ids.index(job.job_id))
        self._update_topbar()
        if self.ready and job.kind == "search" and job.is_finished and job.finished_at \
                and job.job_id not in self._announced and time.time() - job.finished_at < 5 \
                and self.engine is not None and self.engine.owns(job.job_id):
            self._announced.add(job.job_id)
            self._job_finished(job)
        self._update_quit_question()

    def _job_finished(self, job: JobRecord) -> None:
        """A search of ours ended: open it if the user asked to (or nothing is open), else say so."""

        asked = self._open_when_done == job.job_id
        if asked:
            self._open_when_done = None
        if job.status == "completed" and (asked or self._opened_job_id is None):
            self.open_job(job.job_id)
            return
        if job.status not in ("completed", "failed"):
            return
        self._finished = job.job_id
        self.refresh_bindings()
        key = self.key_display("app.open_finished", "ctrl+g")
        if job.status == "completed":
            rest = f" · {job.total_results or 0:,} results · {key} opens it"
            self.say(f"Done: “{self._fitted_query(job.query, rest)}”{rest}")
        else:
            rest = f" · {key} shows why"
            self.say(f"Failed: “{self._fitted_query(job.query, rest)}”{rest}", severity="error")

    def action_open_finished(self) -> None:
        job_id, self._finished = self._finished, None
        self.refresh_bindings()
        if job_id is None or self.engine is None or self.engine.job(job_id) is None:
            self.say("No search has finished in the background")
            return
        self.open_job(job_id)
        jobs = self.main_screen.query_one("#jobs")
        if job_id in jobs.job_ids:
            jobs.move_cursor(jobs.job_ids.index(job_id))

    def on_job_removed(self, message: JobRemoved) -> None:
        jobs = self._jobs_panel()
        if jobs is None:
            return  # shutting down
        jobs.forget_job(message.job_id)
        if self._opened_job_id == message.job_id:
            self._opened_job_id = None
            browser = self._browser()
            if browser is not None and browser.job is not None and browser.job.job_id == message.job_id:
                browser.close_job()  # its title and rows would name a search that is gone
                self._closed_by_removal = message.job_id
        self._update_topbar()

    def on_rows_counted(self, message: RowsCounted) -> None:
        jobs = self._jobs_panel()
        if jobs is not None:
            jobs.show_counts(message.job_id, message.stored, message.new, message.seen)

    def on_storage_notice(self, message: StorageNotice) -> None:
        if message.message:
            self.say(self._without_path(message.message), severity="error", timeout=12,
                     details=f"{message.message} Jobs keep running; they are saved once the disk allows.")
        else:
            self.say("The workspace accepts writes again", details="Everything that was waiting has been saved.")

    def _update_topbar(self) -> None:
        label = self.backend.label if self.backend else "connecting…"
        badge = "SANDBOX" if self.backend is not None and self.backend.is_sandbox else "API"
        line = Text.assemble(("sixtyfour", "bold"), "  ", (f" {badge} ", "reverse"), " ", label)
        if self.engine is not None:
            line.append(f"   {self.engine.running_count}/5 running · {self.engine.queued_count} queued")
        bars = self.main_screen.query("#topbar")  # none while the screen is being taken down
        if line != self._topbar_line and bars:  # most job events leave the counts as they were
            self._topbar_line = line
            bars.first(Static).update(line, layout=False)  # one fixed row: no reflow of the screen

    # -- searches -----------------------------------------------------------------------------------
    def on_composer_submitted(self, message: Composer.Submitted) -> None:
        if self.engine is None:
            self._pending.append(message)
            self.say("Connecting… the search starts once connected")
            return
        self._submit(message)
        if message.max_results != self._ui.last_max_results:
            self._remember(last_max_results=message.max_results)

    def _submit(self, message: Composer.Submitted) -> None:
        from sixtyfour_tui.jobs.records import HistoryEntry

        engine, _ = self.connected
        job = engine.submit(message.query, mode=message.mode, max_results=message.max_results,
                            exclusions=message.exclusions if message.exclusions.wanted else None)
        engine.writer.add_history(HistoryEntry(message.query, message.mode, message.max_results, time.time()))
        self.main_screen.query_one("#jobs").show_job(job, engine.queue_position(job.job_id), focus_new=True)

    def on_jobs_panel_open_requested(self, message) -> None:
        self.open_job(message.job_id)

    def on_jobs_panel_older_requested(self, message: JobsPanel.OlderRequested) -> None:
        self.action_older_jobs()

    def action_older_jobs(self) -> None:
        if self.engine is None:
            return
        self.run_worker(self._load_older_jobs(), group="older-jobs", exclusive=True, exit_on_error=False)

    async def _load_older_jobs(self) -> None:
        """The jobs before the oldest one shown, read off the UI thread, and put above it."""
        import asyncio

        from sixtyfour_tui.workspace.database import StorageError

        engine, workspace = self.connected
        jobs = self.main_screen.query_one("#jobs")
        before = jobs.oldest_created_at
        try:
            older = await asyncio.to_thread(workspace.recent_jobs, engine.backend, limit=OLDER_JOBS_PAGE,
                                            before=before)
        except StorageError as problem:
            self.say("Older jobs could not be read", details=problem.message, severity="error")
            return
        jobs.has_older = len(older) == OLDER_JOBS_PAGE
        if not older:
            self.say("No older jobs")
            return
        for job in older:
            engine.remember(job)
        jobs.show_jobs(older, engine.queue_position)
        jobs.move_cursor(jobs.job_ids.index(older[-1].job_id))  # the newest of them, just above the rest
        self.say(f"{len(older):,} older {'job' if len(older) == 1 else 'jobs'} loaded"
                 + (" · m loads more" if len(older) == OLDER_JOBS_PAGE else ""))
        await self._show_stored_counts([job.job_id for job in older])

    def on_jobs_panel_remove_requested(self, message: JobsPanel.RemoveRequested) -> None:
        engine = self.engine
        job = engine.job(message.job_id) if engine is not None else None
        if engine is None or job is None:
            return
        if job.status == "queued" and engine.cancel_queued(job.job_id):
            if job.task_id is None and job.started_at is None:
                self.say("Cancelled: it never reached the server")
            else:
                self.say("Cancelled here", timeout=6, details="An earlier start may have reached the server, "
                         "where it would finish on its own.")
        elif job.status == "queued":
            self.say("Queued in another window: cancel it there", severity="warning")
        elif job.is_finished:
            self.run_worker(self._forget(job.job_id), group="forget", exit_on_error=False)
        else:
            self.say("Still running: remove it once it ends", severity="warning", timeout=6,
                     details="A running search cannot be stopped through the API; it finishes on the server.")
        self._update_topbar()

    async def _forget(self, job_id: str) -> None:
        from sixtyfour_tui.workspace.store import FORGET_GRACE_SECONDS

        engine, _ = self.connected
        job = engine.job(job_id)
        if await engine.forget(job_id):
            window = FORGET_GRACE_SECONDS - 2
            self._undo = (job_id, time.monotonic() + window)
            self.refresh_bindings()
            self.set_timer(window, self.refresh_bindings)  # the undo key leaves the footer when it expires
            key = self.key_display("app.undo_remove", "ctrl+z")
            rest = f" · {key} brings it back"
            query = self._fitted_query(job.query, rest) if job is not None else "the job"
            self.say(f"Removed “{query}”{rest}", timeout=window)
        else:
            self.say("Could not remove it (see the workspace message)", severity="error")

    async def action_undo_remove(self) -> None:
        undo, self._undo = self._undo, None
        self.refresh_bindings()
        if undo is None or time.monotonic() > undo[1]:
            self.say("Nothing to bring back")
            return
        self._bring_back = undo[0]
        engine, _ = self.connected
        record = await engine.unforget(undo[0])
        self.say("Brought back" if record is not None else "Too late: it was already deleted")
        if record is not None and self._closed_by_removal == record.job_id:
            self.open_job(record.job_id)
        self._closed_by_removal = None

    def open_job(self, job_id: str) -> None:
        job = self.engine.job(job_id) if self.engine else None
        if job is None:
            return
        if job.status == "failed":
            self._show_error("Search failed", f"{job.query}\n\n{job.error or 'No reason given.'}")
            return
        if job.status == "cancelled":
            self.say("This search was cancelled · x removes it")
            return
        if job.status != "completed":
            self._open_when_done = job_id
            self.say("Still running: its results open when it completes")
            return
        if self._finished == job_id:
            self._finished = None
            self.refresh_bindings()
        self._opened_job_id = job_id
        self.run_worker(self._show_in_browser(job), group="open-job", exclusive=True, exit_on_error=False)
        if self._ui.last_job_id != job_id:
            self._remember(last_job_id=job_id)

    async def _show_in_browser(self, job) -> None:
        await self._mount_results()  # it arrives just after "ready"; a job may be opened before that
        browser = self._browser()
        if browser is not None:
            browser.show_job(job, self.client, self.workspace)

    def _browser(self):
        """The results browser, once mounted."""
        from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

        found = self.main_screen.query(ResultsBrowser)
        return found.first() if found else None

    # -- actions --------------------------------------------------------------------------------------
    def action_new_search(self) -> None:
        if self._zoomed is not None:
            self._set_zoom(None)
        self.main_screen.query_one("#query").focus()

    def action_focus_jobs(self) -> None:
        if self._zoomed == "results":
            self._set_zoom(None)
        self.main_screen.query_one("#jobs").focus()

    def action_focus_results(self) -> None:
        if self._zoomed == "jobs":
            self._set_zoom(None)
        browser = self._browser()
        if browser is not None:
            browser.table.focus()

    def action_clear_query(self) -> None:
        if self._zoomed is not None:
            self._set_zoom(None)
        self.main_screen.query_one(Composer).action_clear_query()

    # -- zoom ---------------------------------------------------------------------------------------
    @property
    def zoomed(self) -> str | None:
        """"results" or "jobs" while that panel fills the screen, else None."""
        return self._zoomed

    def action_toggle_zoom(self, panel: str = "") -> None:
        """Zoom the focused panel (the results unless the jobs have the focus) to the full screen,
        or back. The top bar and the footer stay."""
        if self._zoomed is not None and panel in ("", self._zoomed):
            self._set_zoom(None)
            return
        if panel not in ZOOMABLE:
            focused = self.main_screen.focused
            panel = "jobs" if focused is not None and focused.id == "jobs" else "results"
        self._set_zoom(panel)

    def _set_zoom(self, panel: str | None, *, remember: bool = True) -> None:
        screen = self.main_screen
        self._zoomed = panel
        for name in ZOOMABLE:
            screen.set_class(panel == name, f"-zoom-{name}")
        if panel == "jobs":
            screen.query_one("#jobs").focus()
        elif panel == "results":
            from sixtyfour_tui.ui.widgets.results_table import ResultsTable

            screen.query_one(ResultsTable).focus()
        self.refresh_bindings()
        if remember and panel != self._ui.zoomed:
            self._remember(zoomed=panel)

    # -- preferences (the settings file's [ui] table, theme, keymap) ----------------------------------
    def _apply_preferences(self, settings: Settings) -> None:
        if settings.theme and settings.theme in self.available_themes:
            self.theme = settings.theme
        if settings.keymap:
            self.set_keymap(settings.keymap)
            self.call_after_refresh(self._check_keymap, dict(settings.keymap))
        if settings.ui.last_max_results:
            self.main_screen.query_one("#max-results").value = str(settings.ui.last_max_results)

    def _check_keymap(self, keymap: dict[str, str]) -> None:
        from sixtyfour_tui.ui.keymap import unknown_ids

        unknown = unknown_ids(keymap)
        if unknown:
            self.say(f"[keymap]: {len(unknown)} unknown binding {'id' if len(unknown) == 1 else 'ids'}",
                     severity="warning", details=f"Unknown: {', '.join(unknown)}. F1 and the README list every id.")

    def _redraw_after_resume(self, _app: App[object]) -> None:
        """Back from a stop (SIGTSTP, then `fg`): the terminal's alternate screen came back empty,
        and Textual repaints only what changed since (nothing, in an idle app), so paint it all."""
        self.screen.refresh(layout=True)

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self._theme_choice:
            self._theme_choice = theme.name
            self._save_preferences()

    def _remember(self, **changes: Any) -> None:
        """Keep a layout choice for the next start (the file is written off the UI thread)."""
        import msgspec

        self._ui = msgspec.structs.replace(self._ui, **changes)
        self._save_preferences()

    @work(thread=True, group="preferences", exit_on_error=False)
    def _save_preferences(self) -> None:
        """Write `[ui]` and `theme` into the settings file as it is on disk now, so a key set in
        the environment never lands in the file and other settings stay as they are."""
        from sixtyfour_tui.config import ConfigError, replace, update_settings_file

        with self._preferences_lock:  # the newest state, whichever worker writes last
            ui, theme = self._ui, self._theme_choice
            try:
                update_settings_file(lambda current: replace(current, ui=ui, theme=theme))
            except (ConfigError, OSError) as problem:
                log.warning("layout not saved: %s", problem)

    def _remember_columns(self) -> None:
        """The results table's columns (choice and order) per mode, whenever the user changes them."""
        from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

        browsers = self.main_screen.query(ResultsBrowser)
        browser: ResultsBrowser | None = browsers.first() if browsers else None
        job = browser.job if browser is not None else None
        if browser is None or job is None or not browser.store.columns:
            return
        columns = browser.table.visible_columns
        seen = self._columns_shown
        self._columns_shown = (job.job_id, job.mode, columns)
        if seen is None or seen[0] != job.job_id or seen[2] == columns:
            return  # a search just opened (its columns are the remembered ones), or nothing moved
        chosen = {**self._ui.columns, job.mode: columns}
        browser.preferred_columns = chosen
        self._remember(columns=chosen)

    # -- after every action: the footer, toasts and columns follow ------------------------------------
    async def run_action(self, action: str | ActionParseResult, default_namespace: DOMNode | None = None,
                         namespaces: Mapping[str, DOMNode] | None = None) -> bool:
        try:
            return await super().run_action(action, default_namespace, namespaces)
        finally:
            self._after_action()

    def _after_action(self) -> None:
        """An action may have changed which keys apply (escape after the filter is cleared), where
        the cursor is (toasts move off its row) or the columns (remembered per mode)."""
        if not self.screen_stack:
            return  # the app is closing
        screen = self.screen
        screen.refresh_bindings()
        if time.monotonic() < self._toasts_until:
            self._place_toasts()
        if screen is self.main_screen and self.ready:
            self._remember_columns()

    def _screen_changed(self, screen: Screen[object]) -> None:
        if screen is self.main_screen:
            if self.ready:
                self._remember_columns()
            return
        if screen.is_modal and type(screen).__name__ != "CommandPalette":
            screen.call_after_refresh(self._give_footer, screen)

    def _give_footer(self, screen: Screen[object]) -> None:
        """A dialog's own keys under it (the main screen's footer would show the wrong ones)."""
        from textual.widgets import Footer

        if screen.is_attached and not screen.query(Footer) and not screen.query(KeysFooter):
            screen.mount(KeysFooter())

    # -- toasts ---------------------------------------------------------------------------------------
    def say(self, text: str, *, details: str | None = None, severity: SeverityLevel = "information",
            timeout: float | None = None) -> None:
        """A toast of one short line; the details (if any) wait behind F9 with the recent messages."""
        shown = text
        if details:
            shown = f"{text} · {self.key_display('app.messages', 'f9')} details"
        self._next_details = details
        self.notify(shown, severity=severity, markup=False, timeout=timeout)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast goes through here: kept for F9, placed off the cursor's row, and capped (a
        server's 200 kB message must not fill the screen; server text comes with markup=False) and
        cleaned of escape sequences (markup=False stops markup, not a terminal's controls)."""
        from sixtyfour_tui.sanitize import clean_text, shorten

        details, self._next_details = self._next_details, None
        text = shorten(clean_text(message, keep_newlines=True), TOAST_LIMIT)
        details = clean_text(details, keep_newlines=True) if details is not None else None
        self._messages.append(Notice(time.time(), str(severity), text, details))
        lasts = timeout if timeout is not None else self.NOTIFICATION_TIMEOUT
        self._toasts_until = max(self._toasts_until, time.monotonic() + lasts)
        self._place_toasts()
        super().notify(text, title=title, severity=severity, timeout=timeout, markup=markup)

    def _place_toasts(self) -> None:
        """Toasts sit bottom right, or top right while the cursor's row is in the lower half."""
        if not self.screen_stack:
            return
        screen = self.main_screen
        row = self._cursor_line()
        screen.set_class(row is not None and row >= screen.size.height // 2, "-toasts-top")

    def _cursor_line(self) -> int | None:
        """The screen line of the focused table's cursor row (both tables draw a header first)."""
        from sixtyfour_tui.ui.widgets.jobs_panel import JobsPanel
        from sixtyfour_tui.ui.widgets.results_table import ResultsTable

        focused = self.main_screen.focused
        if not isinstance(focused, (JobsPanel, ResultsTable)):
            return None
        return focused.content_region.y + 1 + focused.cursor_row - round(focused.scroll_y)

    def action_messages(self) -> None:
        """Every recent toast in full, newest first, with the details the toasts left out."""
        if self._modal_open():
            return
        if not self._messages:
            self.say("No messages yet")
            return
        lines = []
        for notice in reversed(self._messages):
            stamp = time.strftime("%H:%M:%S", time.localtime(notice.at))
            lines.append(f"{stamp}  {notice.text}")
            if notice.details:
                lines.append(f"          {notice.details}")
        from sixtyfour_tui.ui.screens.error_modal import ErrorScreen

        self.push_screen(ErrorScreen("Recent messages", "\n".join(lines)))

    def key_display(self, binding_id: str, default: str) -> str:
        """The key a binding has now (the user's keymap included), as the footer writes it."""
        keymap = self.settings.keymap if self.settings is not None else {}
        key = keymap.get(binding_id, default).split(",")[0].strip()
        return self.get_key_display(Binding(key, ""))

    def _without_path(self, message: str) -> str:
        """A workspace message short enough for a toast ("Workspace: the disk is full"); the whole
        message, with its file's path, goes to the details."""
        from sixtyfour_tui.sanitize import shorten

        path = str(self.workspace.path) if self.workspace is not None else str(self.workspace_path or "")
        text = " ".join(message.replace(path, "").split()) if path else message
        if ": " in text:
            text = "Workspace: " + text.rsplit(": ", 1)[1]
        return shorten(text.rstrip("."), 48)

    def _fitted_query(self, query: str, rest: str) -> str:
        """A query cut to leave `rest` room on one toast line at this terminal's width."""
        from sixtyfour_tui.sanitize import shorten

        room = int(self.size.width * 0.7) - 4 - len(rest) - 10
        return shorten(self._plain(query), max(12, room))

    @staticmethod
    def _plain(text: str) -> str:
        from sixtyfour_tui.sanitize import clean_text

        return " ".join(clean_text(text).split())

    def action_history(self) -> None:
        if self.workspace is None or self._modal_open():
            return
        self.run_worker(self._show_history(), group="history", exclusive=True, exit_on_error=False)

    async def _show_history(self) -> None:
        import asyncio

        from sixtyfour_tui.ui.screens.history_screen import HistoryScreen
        from sixtyfour_tui.workspace.database import StorageError

        engine, workspace = self.connected
        writer = engine.writer
        await asyncio.to_thread(writer.flush)  # what was just typed is in the list too
        try:
            stored = await asyncio.to_thread(workspace.history)
        except StorageError as problem:
            self.say("The query history cannot be shown", details=problem.message, severity="error")
            return
        pending = writer.pending_history()  # not saved yet (the disk refused): still yours
        seen = {entry.identity for entry in pending}
        entries = pending + [entry for entry in stored if entry.identity not in seen]

        def picked(entry) -> None:
            if entry is not None:
                self.main_screen.query_one(Composer).fill(entry.query, entry.mode, entry.max_results)

        if not self._modal_open():
            self.push_screen(HistoryScreen(entries), picked)

    def action_settings(self) -> None:
        if self._modal_open():
            return
        from sixtyfour_tui.ui.screens.settings_screen import SettingsScreen

        def saved(settings) -> None:
            if settings is None:
                return
            from sixtyfour_tui.config import apply_env_overrides, replace

            effective = apply_env_overrides(settings)
            current = self.settings or Settings()
            # The download folder applies now; the key and base URL pick a backend, so they wait.
            self.settings = replace(current, download_dir=effective.download_dir, poll_interval=effective.poll_interval)
            if self.engine is not None and self.backend is not None:
                self.engine.poll_interval = self.settings.effective_poll_interval(self.backend.is_sandbox)
            self.say("Settings saved", details="The download folder and poll interval apply now; a new API "
                     "key or base URL on the next start.")

        note = None
        if self.backend is not None and self.backend.is_sandbox:
            note = ("The app is using the local sandbox now; the key and base URL below are for the real API "
                    "(used when you start without --sandbox).")
        self.push_screen(SettingsScreen(context_note=note), saved)

    def action_export(self) -> None:
        job_id = self._focused_job_id()
        if job_id is None:
            self.say("Open a completed search first (enter on a job)")
            return
        self.export_job(job_id)

    def export_job(self, job_id: str) -> None:
        if self._modal_open():
            return
        from sixtyfour_tui.jobs.records import JobKind

        engine = self.engine
        job = engine.job(job_id) if engine is not None else None
        if engine is None or job is None or job.status != "completed":
            self.say("Only a completed search can be exported", severity="warning")
            return
        from sixtyfour_tui.ui.screens.export_screen import ExportScreen

        settings = self.settings or Settings()
        interrupted = [export.destination for export in engine.jobs(kind=JobKind.EXPORT)
                       if export.parent_job_id == job_id and export.status == "interrupted" and export.destination]
        again = Path(interrupted[-1]) if interrupted else None  # pick up where it stopped
        self.push_screen(ExportScreen(job, engine, settings.effective_download_dir(), destination=again,
                                      view=self._view_of(job_id)))

    def action_columns(self) -> None:
        browser = self._browser()
        if browser is not None:
            browser.action_choose_columns()

    async def copy_rows(self, fmt: str) -> None:
        browser = self._browser()
        if browser is None:
            return
        if fmt == "cell":
            await browser.action_copy_cell()
        else:
            await browser.copy_rows(fmt)

    def action_help(self) -> None:
        """The keys that work where the focus is, by panel (as `Screen.active_bindings` has them:
        the keymap applied, keys a text field takes for typing left out), then the app's."""
        from sixtyfour_tui.ui.screens.help_screen import HelpScreen, binding_rows

        if isinstance(self.screen, HelpScreen):
            return
        by_node: dict[object, list[Binding]] = {}
        for active in self.screen.active_bindings.values():
            if active.binding.id or active.binding.show:
                by_node.setdefault(active.node, []).append(active.binding)
        sections = []
        panel_name = None
        for node, bindings in by_node.items():
            if node is self:
                continue
            title = getattr(node, "HELP_TITLE", None) or getattr(node, "border_title", None)
            if title and panel_name is None:
                panel_name = str(title)
            rows = binding_rows(bindings, with_ids=True)
            if rows:
                sections.append((f"{title or type(node).__name__} keys", rows))
        sections.append(("App keys", binding_rows(by_node.get(self, []), with_ids=True)))
        self.push_screen(HelpScreen(panel_name or "app", sections))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's palette commands less its Quit (it would not ask while searches run; the
        palette's "Quit sixtyfour" does, as ctrl+q does) and Maximize (z zooms a panel here)."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Maximize", "Minimize"):
                yield command

    def action_quit_app(self) -> None:
        engine = self.engine
        if engine is None or not engine.busy:
            self._shutdown_and_exit()
            return
        from sixtyfour_tui.ui.screens.confirm import ConfirmScreen

        question = quit_question(engine.own_running_count, engine.queued_count)

        def answered(yes: bool | None) -> None:
            self._quit_question = None
            if yes:
                self._shutdown_and_exit()

        self._quit_question = ConfirmScreen(question, confirm_label="Quit", cancel_label="Stay")
        self.push_screen(self._quit_question, answered)

    def _update_quit_question(self) -> None:
        """While the quit question is open, it counts the searches as they are now."""
        engine, asking = self.engine, self._quit_question
        if engine is None or asking is None or not asking.is_attached:
            return
        if engine.busy:
            asking.ask(quit_question(engine.own_running_count, engine.queued_count))
        else:
            asking.ask("No searches are running any more. Quit?")

    def _shutdown_and_exit(self) -> None:
        self.exit()

    def exit(self, *args: Any, **kwargs: Any) -> None:
        """From here on, job events still queued find no panels to update: the screens are going."""
        self._quitting = True
        super().exit(*args, **kwargs)

    async def on_unmount(self) -> None:
        if self.engine is not None:
            await self.engine.shutdown()
        if self.client is not None:
            await self.client.aclose()
        if self.backend is not None and self.backend.close_with_app:
            self.backend.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo_remove":
            return self._undo is not None and time.monotonic() < self._undo[1]
        if action == "open_finished":
            return self._finished is not None
        return True

    def on_worker_state_changed(self, event) -> None:
        """The one place an unexpected error in any background task ends up: logged with its
        traceback, and said on screen, instead of vanishing."""
        from textual.worker import WorkerState

        if event.state != WorkerState.ERROR:
            return
        import logging

        error = event.worker.error
        logging.getLogger("sixtyfour_tui.ui").error("worker %s failed", event.worker.name, exc_info=error)
        from sixtyfour_tui.locations import log_file
        from sixtyfour_tui.sanitize import clean_text, shorten

        self.say(f"Something went wrong ({shorten(clean_text(event.worker.name), 14)})", severity="error",
                 timeout=10, details=shorten(clean_text(f"{error}"), 400) + f" · the log has more: {log_file()}")

    def _modal_open(self) -> bool:
        """One dialog at a time: a second one opened from the palette would stack on the first."""
        return len(self.screen_stack) > 1

    def _show_error(self, title: str, text: str) -> None:
        from sixtyfour_tui.ui.screens.error_modal import ErrorScreen

        self.push_screen(ErrorScreen(title, text))

    # -- preview, refine and filter search -------------------------------------------------------
    def field_catalog(self) -> FieldCatalog:
        """The filter capabilities (kept for their TTL) and top values, for the client in use."""
        from sixtyfour_tui.filters import FieldCatalog

        catalog: FieldCatalog | None = getattr(self, "_field_catalog", None)
        if catalog is None or catalog.client is not self.client:
            catalog = self._field_catalog = FieldCatalog(self.client)
        return catalog

    def on_composer_preview_requested(self, message: Composer.PreviewRequested) -> None:
        from sixtyfour_tui.chips import preview_unavailable

        if self.engine is None:
            self.notify("Connecting… preview once the backend is ready.", markup=False)
            return
        unavailable = preview_unavailable(message.mode)
        if unavailable:
            self.notify(unavailable, markup=False, timeout=8)
            return
        if self._modal_open():
            return
        from sixtyfour_tui.ui.screens.refine_screen import RefineScreen

        self.push_screen(RefineScreen(self.field_catalog(), self.client, mode=message.mode, query=message.query,
                                      max_results=message.max_results), self._refined)

    def action_refine(self) -> None:
        """Refine the job highlighted in the jobs panel (when it has the focus), else the open one."""
        job_id = self._focused_job_id()
        if job_id is None:
            self.notify("Highlight a completed search in the jobs panel (F3) or open one, then press r.",
                        markup=False)
            return
        self.refine_job(job_id)

    def refine_job(self, job_id: str) -> None:
        """Reopen a completed search as what can be edited: its parsed query as chips, or a filter
        search's conditions in the builder."""
        from sixtyfour_tui.jobs.records import JobSource

        job = self.engine.job(job_id) if self.engine else None
        if job is None or job.status != "completed":
            self.notify("Only a completed search can be refined.", severity="warning", markup=False)
            return
        if self._modal_open():
            return
        exclusions = _asked_again(job.exclusions)
        if job.source == JobSource.FILTER:
            from sixtyfour_tui.filters import FilterSyntaxError, conditions_of

            try:
                conditions = conditions_of(job.simple_filters)
            except FilterSyntaxError as problem:
                self.notify(f"This filter search cannot be opened in the builder: {problem}", markup=False,
                            severity="warning", timeout=8)
                return
            self._open_builder(mode=job.mode, max_results=job.max_results, conditions=conditions,
                               exclusions=exclusions)
            return
        self.run_worker(self._refine_parsed(job, exclusions), group="refine", exclusive=True, exit_on_error=False)

    async def _refine_parsed(self, job: JobRecord, exclusions: Exclusions | None) -> None:
        import asyncio
        from functools import partial

        from sixtyfour_tui.workspace.database import StorageError

        parsed = job.parsed_query
        if not isinstance(parsed, dict) and self.workspace is not None:
            try:
                info = await asyncio.to_thread(self.workspace.result_info, job.job_id)
            except StorageError:
                info = None
            parsed = info.parsed_query if info is not None else None
        if not isinstance(parsed, dict):
            self.notify("The server did not say how it understood this search, so there is nothing to refine.",
                        markup=False, severity="warning")
            return
        if self._modal_open():
            return
        from sixtyfour_tui.ui.screens.refine_screen import RefineScreen

        screen = RefineScreen(self.field_catalog(), self.client, mode=job.mode, query=job.query,
                              max_results=job.max_results, parsed_query=parsed, edited_from=job.job_id,
                              exclude_entity_ids=job.exclusions.entity_ids)  # previews count as it ran
        self.push_screen(screen, partial(self._refined, exclusions=exclusions))

    def _refined(self, run: RefineRun | None, exclusions: Exclusions | None = None) -> None:
        """Run what the refine screen chose: the deep search of the text, or the query at once."""
        from sixtyfour_tui.jobs.records import JobSource

        if run is None or self.engine is None:
            return
        if run.action == "deep":
            self._submit(Composer.Submitted(run.query, run.mode, run.max_results))
            return
        source = JobSource.QUERY if run.parsed_query is None else JobSource.PARSED
        job = self.engine.run_query(source, query=run.query, mode=run.mode, max_results=run.max_results,
                                    parsed_query=run.parsed_query, exclusions=exclusions or self._composer_exclusions(),
                                    edited_from=run.edited_from, edit_note=run.edit_note)
        self._follow_and_open(job)

    def action_filter_search(self) -> None:
        if self.engine is None:
            self.notify("Connecting… the filter search opens once the backend is ready.", markup=False)
            return
        if self._modal_open():
            return
        mode = self.main_screen.query_one(Composer).query_one("#mode").value
        self._open_builder(mode=str(mode), max_results=500)

    def _open_builder(self, *, mode: str, max_results: int, conditions: list[Condition] | None = None,
                      exclusions: Exclusions | None = None) -> None:
        from functools import partial

        from sixtyfour_tui.ui.screens.filter_builder import FilterBuilderScreen

        screen = FilterBuilderScreen(self.field_catalog(), mode=mode, max_results=max_results, conditions=conditions)
        self.push_screen(screen, partial(self._filter_chosen, exclusions=exclusions))

    def _filter_chosen(self, run: FilterRun | None, exclusions: Exclusions | None = None) -> None:
        from sixtyfour_tui.jobs.records import JobSource

        if run is None or self.engine is None:
            return
        job = self.engine.run_query(JobSource.FILTER, query=run.description, mode=run.mode,
                                    max_results=run.max_results, simple_filters=run.simple_filters,
                                    exclusions=exclusions or self._composer_exclusions())
        self._follow_and_open(job)

    def _composer_exclusions(self) -> Exclusions | None:
        """The exclusions chosen in the composer (F8), if any."""
        chosen = self.main_screen.query_one(Composer).exclusions
        return chosen if chosen.wanted else None

    def _follow_and_open(self, job: JobRecord) -> None:
        """Show a search answered at once in the jobs panel and open its results when it is done."""
        self.main_screen.query_one("#jobs").show_job(job, None, focus_new=True)

        engine = self.engine
        if engine is None:
            return

        async def open_when_done() -> None:
            final = await engine.wait(job.job_id)
            if final.status != "completed" or self._opened_job_id != job.job_id:
                self.open_job(job.job_id)

        self.run_worker(open_when_done(), group=f"follow-{job.job_id}", exit_on_error=False)

    # -- list building: exclusion sets, run diffs, refined queries, view exports ----------------------
    def _view_of(self, job_id: str):
        """The table's view of this search, when the results browser shows it (for `e`)."""
        browser = self._browser()
        return browser.export_view() if browser is not None and browser.job and browser.job.job_id == job_id else None

    @property
    def opened_job_id(self) -> str | None:
        """The search the results browser shows (or is opening), if any."""
        return self._opened_job_id

    def _focused_job_id(self) -> str | None:
        jobs = self.main_screen.query("#jobs")
        if jobs and self.focused is jobs.first() and jobs.first().current_job_id:
            return jobs.first().current_job_id
        return self._opened_job_id

    def action_exclusion_sets(self) -> None:
        if self.workspace is None or self._modal_open():
            return
        from sixtyfour_tui.ui.screens.exclusion_sets import ExclusionManager

        browser = self._browser()
        job = browser.job if browser is not None else None
        marked = browser.marked_entities() if browser is not None else []
        searches = self.engine.jobs() if self.engine is not None else []
        mode = job.mode if job is not None else str(self.main_screen.query_one("#mode").value)
        self.push_screen(ExclusionManager(self.workspace, mode, marked=marked, marked_mode=job.mode if job else None,
                                          searches=searches))

    def action_compare_searches(self) -> None:
        if self.workspace is None or self.engine is None or self._modal_open():
            return
        from sixtyfour_tui.ui.screens.diff_screen import DiffScreen

        self.push_screen(DiffScreen(self.workspace, self.engine.jobs(), self._focused_job_id()), self._open_diff)

    def _open_diff(self, choice) -> None:
        if choice is not None:
            self.run_worker(self._show_diff(choice), group="diff-open", exclusive=True, exit_on_error=False)

    async def _show_diff(self, choice) -> None:
        import asyncio

        from sixtyfour_tui.ui.job_text import ran_at, short_query
        from sixtyfour_tui.workspace.database import StorageError

        engine, workspace = self.connected
        try:
            job_id, positions = await asyncio.to_thread(workspace.diff_positions, choice.before, choice.after,
                                                        choice.which)
        except StorageError as problem:
            self.notify(problem.message, severity="error", markup=False)
            return
        job, other = engine.job(job_id), engine.job(choice.after if job_id == choice.before else choice.before)
        if job is None or other is None:
            return
        words = {"new": "New vs", "dropped": "Dropped since", "common": "Also in"}[choice.which]
        browser = self._browser()
        if browser is None:
            return
        self._opened_job_id = job.job_id
        # Two runs of one query: the other is named by when it ran.
        other_name = f"the run of {ran_at(other)}" if other.query == job.query else short_query(other, 40)
        browser.show_job(job, self.client, self.workspace, positions=positions, label=f"{words} {other_name}")

    def on_results_browser_refine_requested(self, message) -> None:
        composer = self.main_screen.query_one(Composer)
        composer.fill(message.query, message.mode, message.max_results)
        self.notify("The refined query is in the composer: edit it, then ctrl+s runs it.", markup=False, timeout=5)


def _asked_again(exclusions: Exclusions) -> Exclusions | None:
    """A search's exclusions as asked (sets, everything seen), to be resolved afresh for a new run."""
    from sixtyfour_tui.jobs.records import Exclusions

    if exclusions.set_ids or exclusions.seen:
        return Exclusions(set_ids=exclusions.set_ids, seen=exclusions.seen, description=exclusions.description)
    return exclusions if exclusions.wanted else None


def quit_question(running: int, queued: int) -> str:
    """Count what quitting leaves behind: searches running here and searches waiting in the queue."""
    parts = []
    if running:
        parts.append("1 search is still running" if running == 1 else f"{running} searches are still running")
    if queued:
        parts.append("1 is waiting in the queue" if queued == 1 else f"{queued} are waiting in the queue")
    what = " and ".join(parts)
    return (f"{what[0].upper()}{what[1:]}. Running ones continue on the server; all of them resume on the "
            "next start (or in another open window). Quit now?")
