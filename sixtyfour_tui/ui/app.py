"""The Textual app: composer and jobs on top, results below, the engine behind them.

The first frame is drawn before anything slow happens: the backend (and with it httpx, the
sandbox's Starlette/uvicorn and its data set) starts in a thread worker after the first paint.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from sixtyfour_tui.config import Settings
from sixtyfour_tui.ui.engine_messages import (
    BackendFailed,
    BackendReady,
    JobChanged,
    JobRemoved,
    RowsCounted,
    StorageNotice,
)
from sixtyfour_tui.ui.widgets.composer import Composer


def _commands_provider():
    from sixtyfour_tui.ui.commands import SixtyfourCommands

    return SixtyfourCommands


class SixtyfourApp(App):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "sixtyfour"
    COMMANDS = App.COMMANDS | {lambda: _commands_provider()}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        Binding("ctrl+q", "quit_app", "Quit", id="app.quit", priority=True),
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+n", "new_search", "New search", show=False, id="app.new_search"),
        Binding("ctrl+r", "history", "History", id="app.history"),
        Binding("f2", "settings", "Settings", id="app.settings"),
        Binding("e", "export", "Export", id="app.export"),
        Binding("f3", "focus_jobs", "Jobs", show=False, id="app.focus_jobs"),
        Binding("f4", "focus_results", "Results", show=False, id="app.focus_results"),
        Binding("u", "undo_remove", "Undo remove", id="app.undo_remove"),
        Binding("X", "exclusion_sets", "Exclusion sets", show=False, id="app.exclusion_sets"),
        Binding("D", "compare_searches", "Compare searches", show=False, id="app.compare_searches"),
    ]

    def __init__(self, *, sandbox: bool = False, settings: Settings | None = None, backend=None,
                 workspace_path: Path | None = None, sandbox_process=None) -> None:
        super().__init__()
        self.want_sandbox = sandbox
        self.sandbox_process = sandbox_process  # spawned by launch() before the first frame
        self.settings = settings
        self.backend = backend  # a ready Backend (tests pass one); else one is started after mount
        self.workspace_path = workspace_path
        self.workspace = None
        self.engine = None
        self.client = None
        self._pending: list[Composer.Submitted] = []
        self._opened_job_id: str | None = None
        self._topbar_line: Text | None = None
        self._undo: tuple[str, float] | None = None
        self.ready = False
        """True once the backend is connected and the workspace's jobs are on screen."""

    # -- layout ---------------------------------------------------------------------------------
    @property
    def main_screen(self):
        """The screen under any modal: job events must reach it whatever is on top."""
        return self.screen_stack[0]

    def compose(self) -> ComposeResult:
        yield Static(Text("sixtyfour · connecting…"), id="topbar")
        with Horizontal(id="top"):
            yield Composer(id="composer")
            yield Vertical(id="jobs-slot")
        yield Vertical(id="results-slot")
        yield Footer()

    def on_mount(self) -> None:
        self.main_screen.query_one("#query").focus()
        self.call_after_refresh(self._mount_panels)

    async def _mount_panels(self) -> None:
        """The jobs panel and the results browser arrive just after the first frame."""
        from sixtyfour_tui.ui.widgets.jobs_panel import JobsPanel
        from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

        await self.main_screen.query_one("#jobs-slot").mount(JobsPanel(id="jobs"))
        await self.main_screen.query_one("#results-slot").mount(ResultsBrowser(id="results"))
        self._connect()

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
        if not self.want_sandbox and not self.settings.api_key:
            from sixtyfour_tui.ui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(), self._welcome_answered)
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

        self.settings = replace(self.settings, api_key=key)
        self._start_backend(False)

    @work(thread=True, group="backend", exit_on_error=False)
    def _start_backend(self, sandbox: bool) -> None:
        """Off the UI thread: the backend (the sandbox's start) and the workspace's first open."""
        from sixtyfour_tui.backend import NoApiKey, real_backend, sandbox_backend

        backend = self.backend
        if backend is None:
            try:
                backend = (sandbox_backend(self.settings, self.sandbox_process) if sandbox
                           else real_backend(self.settings))
            except (NoApiKey, OSError, RuntimeError, ValueError) as problem:
                self.post_message(BackendFailed(str(problem)))
                return
        from sixtyfour_tui.logs import redact_in_logs
        from sixtyfour_tui.workspace.database import StorageError
        from sixtyfour_tui.workspace.store import Workspace

        redact_in_logs(backend.api_key)
        workspace = Workspace(self.workspace_path)
        problem: str | None = None
        try:
            workspace.open()
        except StorageError as refused:
            problem = refused.message
        self.call_from_thread(self._attach_backend, backend, workspace, problem)

    def _attach_backend(self, backend, workspace, problem: str | None = None) -> None:
        from sixtyfour_tui.jobs.engine import JobEngine

        self.backend = backend
        self.workspace = workspace
        self.client = backend.client()
        for notice in workspace.notices:
            self.notify(notice, severity="error" if workspace.recovered_from else "information", markup=False,
                        timeout=12)
        if problem:
            self.notify(f"{problem} Jobs are kept in memory and saved once the disk allows.", severity="error",
                        markup=False, timeout=12)
        self.engine = JobEngine(self.client, workspace, backend=backend.workspace_key,
                                poll_interval=backend.poll_interval, spawn=self._spawn)
        self.engine.subscribe(self._engine_event)
        self.run_worker(self._start_engine(), name="engine-start", group="engine", exit_on_error=False)

    async def _start_engine(self) -> None:
        engine = self.engine
        await engine.start()
        jobs = self.main_screen.query_one("#jobs")
        for job in engine.jobs():
            jobs.show_job(job, engine.queue_position(job.job_id))
        if jobs.row_count:
            jobs.move_cursor(row=jobs.row_count - 1)  # the newest (and any resumed) jobs in view
        self.ready = True
        self.post_message(BackendReady(self.backend.label, self.backend.is_sandbox))
        pending, self._pending = self._pending, []
        for submitted in pending:
            self._submit(submitted)
        await self._show_stored_counts([job.job_id for job in engine.jobs()])

    async def _show_stored_counts(self, job_ids: list[str]) -> None:
        import asyncio

        from sixtyfour_tui.workspace.database import StorageError

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
            self.notify("Using the local sandbox: synthetic data, no API key needed.", markup=False, timeout=4)

    def on_backend_failed(self, message: BackendFailed) -> None:
        self.main_screen.query_one("#topbar", Static).update(Text("sixtyfour · not connected (see the error)"))
        self._show_error("Could not connect", message.message)

    def on_job_changed(self, message: JobChanged) -> None:
        if not self.main_screen.query("#jobs"):
            return  # shutting down
        job = message.job
        jobs = self.main_screen.query_one("#jobs")
        jobs.show_job(job, message.queue_position)
        self._update_topbar()
        if job.kind == "search" and job.status == "completed" and job.finished_at \
                and time.time() - job.finished_at < 5 and self._opened_job_id is None \
                and self.engine is not None and self.engine.owns(job.job_id):
            self.open_job(job.job_id)

    def on_job_removed(self, message: JobRemoved) -> None:
        if self.main_screen.query("#jobs"):
            self.main_screen.query_one("#jobs").forget_job(message.job_id)
        if self._opened_job_id == message.job_id:
            self._opened_job_id = None
        self._update_topbar()

    def on_rows_counted(self, message: RowsCounted) -> None:
        if self.main_screen.query("#jobs"):
            self.main_screen.query_one("#jobs").show_counts(message.job_id, message.stored, message.new,
                                                            message.seen)

    def on_storage_notice(self, message: StorageNotice) -> None:
        if message.message:
            self.notify(f"{message.message} Jobs keep running; they are saved once the disk allows.",
                        severity="error", markup=False, timeout=12)
        else:
            self.notify("The workspace accepts writes again; everything pending was saved.", markup=False)

    def _update_topbar(self) -> None:
        label = self.backend.label if self.backend else "connecting…"
        badge = "SANDBOX" if self.backend is not None and self.backend.is_sandbox else "API"
        line = Text.assemble(("sixtyfour", "bold"), "  ", (f" {badge} ", "reverse"), " ", label)
        if self.engine is not None:
            line.append(f"   {self.engine.running_count}/5 running · {self.engine.queued_count} queued")
        if line != self._topbar_line:  # most job events leave the counts as they were
            self._topbar_line = line
            self.main_screen.query_one("#topbar", Static).update(line)

    # -- searches -----------------------------------------------------------------------------------
    def on_composer_submitted(self, message: Composer.Submitted) -> None:
        if self.engine is None:
            self._pending.append(message)
            self.notify("Connecting… the search starts as soon as the backend is ready.", markup=False)
            return
        self._submit(message)

    def _submit(self, message: Composer.Submitted) -> None:
        from sixtyfour_tui.jobs.records import HistoryEntry

        job = self.engine.submit(message.query, mode=message.mode, max_results=message.max_results,
                                 exclusions=message.exclusions if message.exclusions.wanted else None)
        self.engine.writer.add_history(HistoryEntry(message.query, message.mode, message.max_results, time.time()))
        self.main_screen.query_one("#jobs").show_job(job, self.engine.queue_position(job.job_id), focus_new=True)

    def on_jobs_panel_open_requested(self, message) -> None:
        self.open_job(message.job_id)

    def on_jobs_panel_remove_requested(self, message) -> None:
        job = self.engine.job(message.job_id) if self.engine else None
        if job is None:
            return
        if job.status == "queued" and self.engine.cancel_queued(job.job_id):
            if job.task_id is None and job.started_at is None:
                self.notify("Cancelled before it started: it never reached the server.", markup=False)
            else:
                self.notify("Cancelled here. An earlier start may have reached the server, where it would "
                            "finish on its own.", markup=False, timeout=6)
        elif job.status == "queued":
            self.notify("This search is queued in another sixtyfour-tui window; cancel it there.",
                        severity="warning", markup=False)
        elif job.is_finished:
            self.run_worker(self._forget(job.job_id), group="forget", exit_on_error=False)
        else:
            self.notify("A running search cannot be stopped through the API; it finishes on the server. "
                        "Remove it once it has ended.", severity="warning", markup=False, timeout=6)
        self._update_topbar()

    async def _forget(self, job_id: str) -> None:
        from sixtyfour_tui.workspace.store import FORGET_GRACE_SECONDS

        if await self.engine.forget(job_id):
            self._undo = (job_id, time.monotonic() + FORGET_GRACE_SECONDS - 2)
            self.refresh_bindings()
            self.notify(f"Removed with its stored rows · u brings it back ({FORGET_GRACE_SECONDS - 2:g} s). "
                        "Exported files stay on disk.", markup=False, timeout=FORGET_GRACE_SECONDS - 2)
        else:
            self.notify("Could not remove it (see the workspace message).", severity="error", markup=False)

    async def action_undo_remove(self) -> None:
        undo, self._undo = self._undo, None
        self.refresh_bindings()
        if undo is None or time.monotonic() > undo[1]:
            self.notify("Nothing to bring back.", markup=False)
            return
        record = await self.engine.unforget(undo[0])
        self.notify("Brought back." if record is not None else "Too late: it was already deleted.", markup=False)

    def open_job(self, job_id: str) -> None:
        job = self.engine.job(job_id) if self.engine else None
        if job is None:
            return
        if job.status == "failed":
            self._show_error("Search failed", f"{job.query}\n\n{job.error or 'No reason given.'}")
            return
        if job.status == "cancelled":
            self.notify("This search was cancelled before it started; x removes it from the list.",
                        markup=False)
            return
        if job.status != "completed":
            self.notify("This search is still running; its results open when it completes.", markup=False)
            return
        from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

        self._opened_job_id = job_id
        browser = self.main_screen.query_one(ResultsBrowser)
        browser.show_job(job, self.client, self.workspace)

    # -- actions --------------------------------------------------------------------------------------
    def action_new_search(self) -> None:
        self.main_screen.query_one("#query").focus()

    def action_focus_jobs(self) -> None:
        self.main_screen.query_one("#jobs").focus()

    def action_focus_results(self) -> None:
        from sixtyfour_tui.ui.widgets.results_table import ResultsTable

        self.main_screen.query_one(ResultsTable).focus()

    def action_history(self) -> None:
        if self.workspace is None or self._modal_open():
            return
        self.run_worker(self._show_history(), group="history", exclusive=True, exit_on_error=False)

    async def _show_history(self) -> None:
        import asyncio

        from sixtyfour_tui.ui.screens.history_screen import HistoryScreen
        from sixtyfour_tui.workspace.database import StorageError

        writer = self.engine.writer
        await asyncio.to_thread(writer.flush)  # what was just typed is in the list too
        try:
            stored = await asyncio.to_thread(self.workspace.history)
        except StorageError as problem:
            self.notify(f"{problem.message} The query history cannot be shown.", severity="error", markup=False)
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
            self.notify("Settings saved. The download folder and poll interval apply now; a new API key or "
                        "base URL on the next start.", markup=False)

        note = None
        if self.backend is not None and self.backend.is_sandbox:
            note = ("The app is using the local sandbox now; the key and base URL below are for the real API "
                    "(used when you start without --sandbox).")
        self.push_screen(SettingsScreen(context_note=note), saved)

    def action_export(self) -> None:
        job_id = self._opened_job_id
        focused_jobs = self.main_screen.query_one("#jobs")
        if self.focused is focused_jobs and focused_jobs.current_job_id:
            job_id = focused_jobs.current_job_id
        if job_id is None:
            self.notify("Open a completed search first (enter on a job).", markup=False)
            return
        self.export_job(job_id)

    def export_job(self, job_id: str) -> None:
        if self._modal_open():
            return
        job = self.engine.job(job_id) if self.engine else None
        if job is None or job.status != "completed":
            self.notify("Only a completed search can be exported.", markup=False, severity="warning")
            return
        from sixtyfour_tui.ui.screens.export_screen import ExportScreen

        settings = self.settings or Settings()
        interrupted = [export for export in self.engine.jobs(kind="export")
                       if export.parent_job_id == job_id and export.status == "interrupted" and export.destination]
        again = Path(interrupted[-1].destination) if interrupted else None  # pick up where it stopped
        self.push_screen(ExportScreen(job, self.engine, settings.effective_download_dir(), destination=again,
                                      view=self._view_of(job_id)))

    def action_columns(self) -> None:
        from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

        self.main_screen.query_one(ResultsBrowser).action_choose_columns()

    async def copy_rows(self, fmt: str) -> None:
        from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

        browser = self.main_screen.query_one(ResultsBrowser)
        if fmt == "cell":
            await browser.action_copy_cell()
        else:
            await browser.copy_rows(fmt)

    def action_help(self) -> None:
        from sixtyfour_tui.ui.screens.help_screen import HelpScreen, binding_rows

        sections = []
        panel_name = None
        seen: set[tuple[str, str]] = set()
        node = self.focused
        while node is not None and node is not self.screen:
            rows = [row for row in binding_rows(b for _, b in node._bindings if b.id or b.show) if row not in seen]
            seen.update(rows)
            title = getattr(node, "HELP_TITLE", None) or getattr(node, "border_title", None)
            if title and panel_name is None:
                panel_name = str(title)
            if rows:
                sections.append((f"{title or type(node).__name__} keys", rows))
            node = node.parent
        sections.append(("App keys", binding_rows(b for _, b in self._bindings)))
        self.push_screen(HelpScreen(panel_name or "app", sections))

    def action_quit_app(self) -> None:
        running = self.engine.busy if self.engine is not None else False
        if not running:
            self._shutdown_and_exit()
            return
        from sixtyfour_tui.ui.screens.confirm import ConfirmScreen

        question = quit_question(self.engine.own_running_count, self.engine.queued_count)

        def answered(yes: bool | None) -> None:
            if yes:
                self._shutdown_and_exit()

        self.push_screen(ConfirmScreen(question, confirm_label="Quit", cancel_label="Stay"), answered)

    def _shutdown_and_exit(self) -> None:
        self.exit()

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

        self.notify(shorten(clean_text(f"Something went wrong ({event.worker.name}): {error}"), 200)
                    + f" · details in {log_file()}", severity="error", markup=False, timeout=10)

    def _modal_open(self) -> bool:
        """One dialog at a time: a second one opened from the palette would stack on the first."""
        return len(self.screen_stack) > 1

    def _show_error(self, title: str, text: str) -> None:
        from sixtyfour_tui.ui.screens.error_modal import ErrorScreen

        self.push_screen(ErrorScreen(title, text))

    # -- list building: exclusion sets, run diffs, refined queries, view exports ----------------------
    def _browser(self):
        from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

        found = self.main_screen.query(ResultsBrowser)
        return found.first() if found else None

    def _view_of(self, job_id: str):
        """The table's view of this search, when the results browser shows it (for `e`)."""
        browser = self._browser()
        return browser.export_view() if browser is not None and browser.job and browser.job.job_id == job_id else None

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

        from sixtyfour_tui.ui.job_text import short_query
        from sixtyfour_tui.workspace.database import StorageError

        try:
            job_id, positions = await asyncio.to_thread(self.workspace.diff_positions, choice.before, choice.after,
                                                        choice.which)
        except StorageError as problem:
            self.notify(problem.message, severity="error", markup=False)
            return
        job, other = self.engine.job(job_id), self.engine.job(choice.after if job_id == choice.before
                                                                  else choice.before)
        if job is None or other is None:
            return
        words = {"new": "New vs", "dropped": "Dropped since", "common": "Also in"}[choice.which]
        self._opened_job_id = job.job_id
        self._browser().show_job(job, self.client, self.workspace, positions=positions,
                                 label=f"{words} {short_query(other, 40)}")

    def on_results_browser_refine_requested(self, message) -> None:
        composer = self.main_screen.query_one(Composer)
        composer.fill(message.query, message.mode, message.max_results)
        self.notify("The refined query is in the composer: edit it, then ctrl+s runs it.", markup=False, timeout=5)


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
