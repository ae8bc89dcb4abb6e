"""Save a finished search: the whole result through the API, or the table's view from the workspace.

The whole result: the flow itself (`jobs.export_flow.Exporter`) knows nothing of Textual; this
screen runs it in a worker, follows the engine's events for the export it started, and turns them
into a stage line and a byte-level progress bar. Cancelling cancels the worker; the flow then
marks the export cancelled and removes its partial file, and the destination is never left
half-written.

This view (or only its marked rows): the visible columns in the table's order under its header
labels, its filters, sort and new-only toggle, written by `table.writers` from the rows the table
holds, with no API call, as CSV, JSON lines or CSV for Excel. The view's rows are taken on the UI
thread and written from another (the table stays live); the file is recorded in the workspace
with its entities, so "everything exported" includes them.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import msgspec
from rich.filesize import decimal
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, RadioButton, RadioSet, Select, Static
from textual.worker import Worker, WorkerState

from sixtyfour_tui.destinations import (
    default_export_path,
    destination_warning,
    ensure_parent_dir,
    validate_destination,
)
from sixtyfour_tui.jobs.events import DownloadProgressed, JobEvent, JobUpdated
from sixtyfour_tui.jobs.export_flow import MAX_EXPORT_ROWS, Exporter, ExportError
from sixtyfour_tui.jobs.records import ExportStage, JobRecord, new_id
from sixtyfour_tui.rules import RuleError, parse_export_rows
from sixtyfour_tui.sanitize import clean_text, shorten
from sixtyfour_tui.ui.screens.confirm import ConfirmScreen
from sixtyfour_tui.ui.screens.error_modal import ErrorScreen

if TYPE_CHECKING:
    from sixtyfour_tui.table.row_store import RowStore
    from sixtyfour_tui.table.view import ViewSpec
    from sixtyfour_tui.table.writers import Format, ViewWritten
    from sixtyfour_tui.workspace.store import Workspace

QUERY_LINE_LIMIT = 300
"""The query shown at the top: a 10,000-character query must not push the buttons off screen."""
STAGE_LABELS = {
    ExportStage.PREPARING: "Preparing export",
    ExportStage.EXPORTING: "Exporting",
    ExportStage.WAITING: "Waiting for the export",
    ExportStage.DOWNLOADING: "Downloading",
    ExportStage.CHECKING: "Checking the rows",
    ExportStage.RETRYING: "Downloading again",
}

Phase = Literal["idle", "running", "done", "failed"]
What = Literal["api", "view", "marked"]
VIEW_FORMATS = (("CSV (UTF-8, RFC 4180)", "csv"), ("JSON lines", "jsonl"), ("CSV for Excel (BOM)", "excel-csv"))
SUFFIXES = {"csv": ".csv", "excel-csv": ".csv", "jsonl": ".jsonl"}


@dataclass
class ViewExport:
    """The table's view, for a file written here instead of through the API."""

    store: RowStore
    spec: ViewSpec
    workspace: Workspace
    mode: str
    label: str | None = None
    """A run diff's part ("New vs …"), when the table shows one."""
    is_subset: bool = False

    @property
    def columns(self) -> list[str]:
        from sixtyfour_tui.table.view import view_columns

        return view_columns(self.store, self.spec)

    @property
    def view_rows(self) -> int:
        return self.store.view_len

    @property
    def marked_rows(self) -> int:
        return self.store.mark_count_in_view()

    def rows(self, only_marked: bool) -> list[int]:
        """The rows to write, in view order, taken now (on the UI thread)."""
        return self.store.marked_in_view() if only_marked else list(self.store.view_indices())


class ExportScreen(ModalScreen[JobRecord | None]):
    """Dismisses with the completed export record (Done), or None when closed without saving."""

    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    """Its own, so the compact layout holds whichever app shows it."""

    DEFAULT_CSS = """
    ExportScreen {
        align: center middle;
    }
    ExportScreen > #dialog {
        width: 90;
        max-width: 95%;
        height: auto;
        max-height: 95%;
        padding: 1 2;
        background: $surface;
        border: thick $primary;
    }
    ExportScreen #query {
        text-style: bold;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ExportScreen #result-count, ExportScreen .hint {
        color: $text-muted;
    }
    ExportScreen Label {
        margin-top: 1;
    }
    ExportScreen #max-rows {
        width: 24;
    }
    ExportScreen.-short > #dialog {
        padding: 0 1;
        max-height: 100%;
    }
    ExportScreen.-short Label, ExportScreen.-short #progress, ExportScreen.-short #outcome,
    ExportScreen.-short #buttons {
        margin-top: 0;
    }
    ExportScreen .field-error {
        color: $error;
    }
    ExportScreen .field-warning {
        color: $warning;
    }
    ExportScreen .message {
        display: none;
    }
    ExportScreen .message.-shown {
        display: block;
    }
    ExportScreen #progress {
        height: auto;
        margin-top: 1;
        display: none;
    }
    ExportScreen #stage {
        color: $primary;
    }
    ExportScreen #outcome {
        margin-top: 1;
        padding: 0 1;
        display: none;
    }
    ExportScreen #outcome.-success {
        display: block;
        border-left: thick $success;
    }
    ExportScreen #outcome.-failure {
        display: block;
        border-left: thick $error;
        color: $error;
    }
    ExportScreen #outcome.-notice {
        display: block;
        border-left: thick $warning;
    }
    ExportScreen #buttons {
        height: auto;
        margin-top: 1;
    }
    ExportScreen #buttons Button {
        margin-right: 2;
    }
    ExportScreen #cancel-export, ExportScreen #details, ExportScreen #done {
        display: none;
    }
    ExportScreen.-running #progress, ExportScreen.-running #cancel-export {
        display: block;
    }
    ExportScreen.-running #export, ExportScreen.-running #close {
        display: none;
    }
    ExportScreen.-failed #details {
        display: block;
    }
    ExportScreen.-done #done {
        display: block;
    }
    ExportScreen.-done #export, ExportScreen.-done #close {
        display: none;
    }
    ExportScreen.-local #cancel-export {
        display: none;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "export", "Export", priority=True, id="export.start"),
        Binding("escape", "escape", "Cancel / close", id="export.escape"),
    ]

    phase: reactive[Phase] = reactive("idle", init=False)

    def __init__(self, job: JobRecord, engine, default_dir: Path, destination: Path | None = None,
                 view: ViewExport | None = None) -> None:
        """`destination` prefills the path (an interrupted export of this search is offered again);
        `view` (the table showing this search) offers writing what the table shows."""
        super().__init__()
        self.job = job
        self.view = view
        self.what: What = "api"
        self.view_written: ViewWritten | None = None
        self.engine = engine
        self.suggested = destination
        self.default_dir = Path(default_dir)
        self.export_record: JobRecord | None = None
        self.failure_details: str = ""
        self._export_job_id: str | None = None
        self._worker: Worker[JobRecord] | None = None
        self._unsubscribe = None

    # -- layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        job = self.job
        count = "unknown number of" if job.total_results is None else f"{job.total_results:,}"
        # Scrolls when the terminal is too short for it (80x24): what an export says at its end
        # (progress, outcome, buttons) is scrolled into view as it appears.
        with VerticalScroll(id="dialog", can_focus=False) as dialog:
            dialog.border_title = "Export to CSV" if self.view is None else "Export"
            yield Static(Text(shorten(clean_text(job.query), QUERY_LINE_LIMIT)), id="query")
            yield Static(Text(f"{job.mode} search · {count} results"), id="result-count")
            if self.view is not None:
                yield from self._compose_view_choice(count)

            yield Label("Save as")
            default_path = self.suggested or default_export_path(self.default_dir, job.query, job.mode)
            yield Input(str(default_path), id="destination", select_on_focus=False)
            yield Static(classes="message field-error", id="destination-error")
            yield Static(classes="message field-warning", id="destination-warning")

            yield Label(f"Max rows (blank = every row; a limit of 1–{MAX_EXPORT_ROWS:,} runs a new export)",
                        id="max-rows-label")
            all_rows = "all" if job.total_results is None else f"all {job.total_results:,}"
            yield Input(placeholder=all_rows, id="max-rows", select_on_focus=False)
            yield Static(classes="message field-error", id="max-rows-error")

            with Vertical(id="progress"):
                yield Static(id="stage")
                yield ProgressBar(total=None, show_eta=False, id="download-bar")
                yield Static(classes="message hint", id="bytes")
            yield Static(id="outcome")

            with Horizontal(id="buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel export", variant="error", id="cancel-export")
                yield Button("Details", id="details")
                yield Button("Done", variant="success", id="done")
                yield Button("Close", id="close")
            yield Static("ctrl+s exports · escape cancels or closes", classes="hint", markup=False)

    def _compose_view_choice(self, count: str) -> ComposeResult:
        view = self.view
        assert view is not None
        shape = f"{len(view.columns)} column{'s' if len(view.columns) != 1 else ''}"
        how = [word for word, on in (("filtered", view.store.is_filtered), ("sorted", bool(view.spec.sort)))
               if on]
        described = f"{view.view_rows:,} rows × {shape}" + (f", {' and '.join(how)}" if how else "")
        label = f" ({clean_text(view.label)})" if view.label else ""
        yield Label("What to save")
        with RadioSet(id="what"):
            yield RadioButton(Text(f"The whole result through the API ({count} rows, the server's CSV)"),
                              value=True, id="what-api")
            yield RadioButton(Text(f"This view{label}: {described}, as the table shows them · no API call"),
                              id="what-view")
            marked = view.marked_rows
            yield RadioButton(Text(f"Only the {marked:,} marked rows of this view" if marked
                                   else "Only the marked rows of this view (none marked)"),
                              id="what-marked", disabled=not marked)
        yield Label("Format", id="format-label")
        yield Select(VIEW_FORMATS, value="csv", allow_blank=False, id="format", compact=True)

    def on_mount(self) -> None:
        if self.view is not None:
            self._show_what("api")
        self._unsubscribe = self.engine.subscribe(self._on_engine_event)
        self.set_class(True, "-idle")
        destination = self.query_one("#destination", Input)
        destination.focus()  # typing edits the path at once; enter exports
        destination.cursor_position = len(destination.value)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export":
            return self.phase in ("idle", "failed")  # the footer drops ctrl+s while it would do nothing
        return True

    def watch_phase(self, old: Phase, new: Phase) -> None:
        self.set_class(False, f"-{old}")
        self.set_class(True, f"-{new}")
        self.refresh_bindings()
        for field in self.query(Input):
            field.disabled = new in ("running", "done")
        if new == "done":
            self.query_one("#done", Button).focus()
        if new != "idle":  # progress, then the outcome and its buttons, at the dialog's foot
            self.call_after_refresh(self.query_one("#dialog", VerticalScroll).scroll_end, animate=False)
        elif new in ("failed", "idle"):
            # The Cancel button that had the focus is hidden again; start over from Export.
            self.query_one("#export", Button).focus()

    # -- actions --------------------------------------------------------------------------------
    @on(Button.Pressed, "#export")
    def action_export(self) -> None:
        if self.phase in ("running", "done"):
            return
        if self.what != "api":
            self._export_view()
            return
        destination = self._validated_destination()
        max_rows = self._validated_max_rows()
        if destination is None or max_rows is False:
            return
        if destination.exists():
            self.app.push_screen(
                ConfirmScreen(f"This file already exists. Overwrite it?\n{destination}", "Overwrite", "Keep it"),
                lambda overwrite: self._start(destination, max_rows, overwrite=True) if overwrite else None,
            )
            return
        self._start(destination, max_rows, overwrite=False)

    @on(Button.Pressed, "#cancel-export")
    def cancel_export(self) -> None:
        if self._worker is not None and self.phase == "running":
            self._worker.cancel()

    @on(Button.Pressed, "#details")
    def show_details(self) -> None:
        self.app.push_screen(ErrorScreen("Export failed", self.failure_details))

    @on(Button.Pressed, "#done")
    def finish(self) -> None:
        self.dismiss(self.export_record)

    @on(Button.Pressed, "#close")
    def close(self) -> None:
        self.dismiss(None)

    def action_escape(self) -> None:
        if self.phase == "running":
            self.cancel_export()
        elif self.phase == "done":
            self.finish()
        else:
            self.close()

    @on(Input.Changed, "#destination")
    def _destination_changed(self, event: Input.Changed) -> None:
        self._set_message("destination-error", None)
        warning = destination_warning(Path(event.value.strip())) if event.value.strip() else None
        self._set_message("destination-warning", warning)

    @on(Input.Changed, "#max-rows")
    def _max_rows_changed(self) -> None:
        self._set_message("max-rows-error", None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    # -- running the flow -----------------------------------------------------------------------
    def _start(self, destination: Path, max_rows: int | None, *, overwrite: bool) -> None:
        try:
            ensure_parent_dir(destination)
        except ValueError as error:
            self._set_message("destination-error", str(error))
            return
        self._export_job_id = new_id()  # the export's record will carry exactly this id
        self.export_record = None
        self._show_outcome(None, "")
        self._update_stage(ExportStage.PREPARING, "Preparing export")
        self.query_one("#download-bar", ProgressBar).update(total=None, progress=0)
        self._set_message("bytes", None)
        self.phase = "running"
        self.query_one("#cancel-export", Button).focus()
        self._worker = self.run_worker(
            Exporter(self.engine).export(self.job.job_id, destination, max_results=max_rows, overwrite=overwrite,
                                         export_id=self._export_job_id),
            name=f"export-{self.job.job_id}",
            group=f"export-{self.job.job_id}",
            exit_on_error=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker:
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self._finished(event.worker.result)
        elif event.state == WorkerState.CANCELLED:
            self.phase = "idle"
            self._show_outcome("-notice", "Export cancelled. Nothing was written to the destination.")
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, ExportError):
                self._failed(str(error), str(error))
            else:
                details = "".join(traceback.format_exception(error)) if error else "Unknown error"
                self._failed(f"Unexpected error: {error}", details)

    def _finished(self, record: JobRecord) -> None:
        self.export_record = record
        if record.status == "completed" and record.saved_file:
            self.phase = "done"
            self._show_outcome("-success", self._summary(record))
        elif record.status == "cancelled":
            self.phase = "idle"
            self._show_outcome("-notice", "Export cancelled. Nothing was written to the destination.")
        else:
            message = record.error or f"The export ended as {record.status}."
            details = "\n".join([
                f"Export of: {record.query}",
                f"Search job: {self.job.job_id}",
                f"Export job: {record.job_id}",
                f"Last stage: {record.progress_message}",
                "",
                message,
            ])
            self._failed(message, details)

    def _failed(self, message: str, details: str) -> None:
        self.failure_details = details
        self.phase = "failed"
        self._show_outcome("-failure", f"Export failed: {message}")

    def _summary(self, record: JobRecord) -> str:
        path = Path(record.saved_file or "")
        try:
            size = decimal(path.stat().st_size)
        except OSError:
            size = "size unknown"
        rows = record.total_results or 0
        return f"Saved {rows:,} row{'s' if rows != 1 else ''} ({size}) to\n{path}"

    # -- engine events --------------------------------------------------------------------------
    def _on_engine_event(self, event: JobEvent) -> None:
        """Called by the engine on the app's event loop, for every job; keep only our export."""
        if self.phase != "running":
            return
        if isinstance(event, JobUpdated):
            job = event.job
            if job.job_id == self._export_job_id and not job.is_finished and job.stage is not None:
                self._update_stage(job.stage, job.progress_message)
        elif isinstance(event, DownloadProgressed) and event.job_id == self._export_job_id:
            bar = self.query_one("#download-bar", ProgressBar)
            bar.update(total=event.bytes_total, progress=event.bytes_done)
            if event.bytes_total:
                text = f"{decimal(event.bytes_done)} of {decimal(event.bytes_total)}"
            else:
                text = f"{decimal(event.bytes_done)} received"
            self._set_message("bytes", text)

    def _update_stage(self, stage: ExportStage, message: str) -> None:
        label = STAGE_LABELS.get(stage, "Working")
        detail = f": {message}" if message and message != label else ""
        self._set_message("stage", f"Step {stage.step} of 3 · {label}{detail}")
        if stage.step < 3:
            # The bar only measures bytes; until the download starts it just shows activity.
            self.query_one("#download-bar", ProgressBar).update(total=None)

    # -- validation -----------------------------------------------------------------------------
    def _validated_destination(self) -> Path | None:
        try:
            return validate_destination(self.query_one("#destination", Input).value, creatable=self.default_dir)
        except ValueError as error:
            self._set_message("destination-error", str(error))
            self.query_one("#destination", Input).focus()
            return None

    def _validated_max_rows(self) -> int | None | Literal[False]:
        """None means all rows; False means the field is invalid (and says why)."""
        try:
            return parse_export_rows(self.query_one("#max-rows", Input).value)
        except RuleError as problem:
            self._set_message("max-rows-error", str(problem))
            self.query_one("#max-rows", Input).focus()
            return False

    # -- small helpers --------------------------------------------------------------------------
    def _set_message(self, widget_id: str, message: str | None) -> None:
        """Show ``message`` in a line that takes no space while it has nothing to say."""
        line = self.query_one(f"#{widget_id}", Static)
        line.update(Text(clean_text(message or "", keep_newlines=True)))
        line.set_class(bool(message), "-shown")

    def _show_outcome(self, kind: str | None, message: str) -> None:
        outcome = self.query_one("#outcome", Static)
        outcome.update(Text(clean_text(message, keep_newlines=True)))
        outcome.remove_class("-success", "-failure", "-notice")
        if kind:
            outcome.add_class(kind)

    # -- this view, from the workspace ----------------------------------------------------------
    @on(RadioSet.Changed, "#what")
    def _what_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        chosen: dict[str, What] = {"what-view": "view", "what-marked": "marked"}
        self._show_what(chosen.get(event.pressed.id or "", "api"))

    def _show_what(self, what: What) -> None:
        """The fields that matter for what is chosen: a format for a view, a row limit for the API."""
        self.what = what
        api = what == "api"
        for widget_id in ("max-rows-label", "max-rows"):
            self.query_one(f"#{widget_id}").display = api
        for widget_id in ("format-label", "format"):
            self.query_one(f"#{widget_id}").display = not api
        self._set_message("max-rows-error", None)
        self._match_suffix("csv" if api else self._format())

    def _format(self) -> Format:
        from sixtyfour_tui.table.writers import FORMATS

        value = self.query_one("#format", Select).value
        return next((fmt for fmt in FORMATS if fmt == value), "csv")

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._match_suffix(self._format())

    def _match_suffix(self, fmt: str) -> None:
        """A destination still ending in another format's suffix follows the chosen format."""
        field = self.query_one("#destination", Input)
        path = Path(field.value.strip())
        wanted = SUFFIXES.get(fmt, ".csv")
        if field.value.strip() and path.suffix in set(SUFFIXES.values()) and path.suffix != wanted:
            field.value = str(path.with_suffix(wanted))

    def _export_view(self) -> None:
        destination = self._validated_destination()
        if destination is None:
            return
        if destination.exists():
            self.app.push_screen(
                ConfirmScreen(f"This file already exists. Overwrite it?\n{destination}", "Overwrite", "Keep it"),
                lambda overwrite: self._start_view(destination) if overwrite else None,
            )
            return
        self._start_view(destination)

    def _start_view(self, destination: Path) -> None:
        view = self.view
        assert view is not None
        try:
            ensure_parent_dir(destination)
        except ValueError as error:
            self._set_message("destination-error", str(error))
            return
        fmt = self._format()
        only_marked = self.what == "marked"
        indices = view.rows(only_marked)  # now, on the UI thread: the table may change while it is written
        columns = view.columns
        spec = msgspec.structs.replace(view.spec, only_marked=True) if only_marked else view.spec
        self._show_outcome(None, "")
        self._set_message("stage", f"Writing {len(indices):,} rows from the workspace…")
        self.phase = "running"
        self.add_class("-local")  # a local write is over in a moment: nothing to cancel
        self.run_worker(self._write_view(view, indices, columns, destination, fmt, spec),
                        name=f"export-view-{self.job.job_id}", group=f"export-view-{self.job.job_id}",
                        exit_on_error=False)

    async def _write_view(self, view: ViewExport, indices: list[int], columns: list[str], destination: Path,
                          fmt: Format, spec: ViewSpec) -> None:
        import asyncio

        from sixtyfour_tui.entities import entity_id
        from sixtyfour_tui.jobs.records import SavedFile
        from sixtyfour_tui.table.writers import write_rows
        from sixtyfour_tui.workspace.database import StorageError

        store = view.store
        try:
            written = await asyncio.to_thread(write_rows, store, indices, columns, destination, fmt, overwrite=True)
        except OSError as problem:
            self._failed(f"Could not write {destination}: {problem.strerror or problem}", str(problem))
            return
        finally:
            self.remove_class("-local")
        self.view_written = written
        try:
            ids = await asyncio.to_thread(lambda: [entity_id(view.mode, store.flat(index)) for index in indices])
            await asyncio.to_thread(view.workspace.record_saved_file,
                                    SavedFile(path=str(destination), job_id=self.job.job_id, rows=written.rows,
                                              format=fmt, kind="view"),
                                    view.mode, [entity for entity in ids if entity])
            recorded = ""
        except StorageError as problem:
            recorded = f"\n(Not recorded in the workspace: {problem.message})"
        self.phase = "done"
        self._show_outcome("-success", self._view_summary(written, spec, fmt) + recorded)

    def _view_summary(self, written: ViewWritten, spec: ViewSpec, fmt: str) -> str:
        from sixtyfour_tui.commands.stored import headless_command

        try:
            size = decimal(written.path.stat().st_size)
        except OSError:
            size = "size unknown"
        lines = [f"Saved {written.rows:,} row{'s' if written.rows != 1 else ''} ({size}) to\n{written.path}"]
        command = None if self.view is None or self.view.is_subset else headless_command(
            self.job.job_id, spec, fmt, written.path)
        if command:
            lines.append(f"The same from a script:\n{command}")
        return "\n".join(lines)

