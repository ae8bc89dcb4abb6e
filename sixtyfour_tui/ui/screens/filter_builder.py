"""Build a structured filter search: pick a field, an operator and values (with counts), see the
`simple_filters` it makes, run it.

Fields come from `GET /search/filter-capabilities` (kept for its TTL by the `FieldCatalog`);
values from `POST /search/filter-field-values`, scoped by the other conditions chosen so far, so
the counts say what adding the value would keep. The document is checked against the published
limits before it is sent. The screen dismisses with a `FilterRun`; the app runs it through the
engine like any search. Field names and values came from the server: all of it is shown as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from sixtyfour_tui import filters
from sixtyfour_tui.api.models import FieldValue, FilterCapabilities, FilterField
from sixtyfour_tui.filters import Condition, FilterSyntaxError, Op
from sixtyfour_tui.rules import RuleError, parse_max_results
from sixtyfour_tui.sanitize import clean_text, shorten

VALUES_TOP_K = 50
OP_HINTS = {
    Op.IS: "a value (or pick one below)",
    Op.IS_NOT: "a value (or pick one below)",
    Op.ANY_OF: "values separated by | (pick below to add)",
    Op.NONE_OF: "values separated by | (pick below to add)",
    Op.RANGE: "from (blank: no lower bound)",
    Op.CONTAINS: "text; * is a wildcard (engineer, vp*)",
}


@dataclass(frozen=True)
class FilterRun:
    simple_filters: dict[str, Any]
    conditions: tuple[Condition, ...]
    mode: str
    max_results: int

    @property
    def description(self) -> str:
        return filters.describe(self.conditions)


class FieldFilter(Input):
    """Narrows the fields as you type; enter picks the first, down goes to the list."""

    BINDINGS = [Binding("down", "to_fields", "Fields", show=False, id="filter.to-fields")]

    def action_to_fields(self) -> None:
        fields = self.screen.query_one("#fb-fields", OptionList)
        if fields.option_count:
            fields.focus()


class ValueInput(Input):
    """The value being written; down goes to the list of values below."""

    BINDINGS = [Binding("down", "to_values", "Values", show=False, id="filter.to-values")]

    def action_to_values(self) -> None:
        values = self.screen.query_one("#fb-values", OptionList)
        if values.option_count:
            values.focus()
            if values.highlighted is None:
                values.highlighted = 0


class ConditionList(OptionList):
    """The conditions chosen so far: enter takes one back into the editor, d removes it."""

    BINDINGS = [
        Binding("d,delete", "remove", "Remove", id="filter.remove-condition"),
    ]

    def action_remove(self) -> None:
        if self.highlighted is not None:
            self.screen.remove_condition(self.highlighted)  # type: ignore[attr-defined]


class FilterBuilderScreen(ModalScreen[FilterRun | None]):
    DEFAULT_CSS = """
    FilterBuilderScreen { align: center middle; }
    FilterBuilderScreen > #fb-dialog {
        width: 96%; max-width: 170; height: 94%; padding: 0 1; background: $surface; border: thick $primary;
    }
    FilterBuilderScreen #fb-top { height: 1; margin-bottom: 1; }
    FilterBuilderScreen #fb-mode { width: 16; }
    FilterBuilderScreen #fb-max-label { padding: 0 1; color: $text-muted; }
    FilterBuilderScreen #fb-max { width: 8; }
    FilterBuilderScreen #fb-count { width: 1fr; text-align: right; text-style: bold; }
    FilterBuilderScreen #fb-body { height: 1fr; }
    FilterBuilderScreen .fb-pane { border: round $primary 50%; padding: 0 1; height: 100%; }
    FilterBuilderScreen .fb-pane:focus-within { border: round $primary; }
    FilterBuilderScreen #fb-fields-pane { width: 38; }
    FilterBuilderScreen #fb-condition-pane { width: 46; }
    FilterBuilderScreen #fb-doc-pane { width: 1fr; }
    FilterBuilderScreen #fb-fields, FilterBuilderScreen #fb-values { height: 1fr; margin-top: 1; }
    FilterBuilderScreen #fb-field-info, FilterBuilderScreen .fb-note { color: $text-muted; height: auto; }
    FilterBuilderScreen #fb-op { width: 100%; margin-top: 1; }
    FilterBuilderScreen #fb-inputs { height: auto; margin-top: 1; }
    FilterBuilderScreen #fb-inputs Input { width: 1fr; }
    FilterBuilderScreen #fb-high { display: none; }
    FilterBuilderScreen #fb-high.-shown { display: block; }
    FilterBuilderScreen #fb-add { margin-top: 1; }
    FilterBuilderScreen #fb-conditions { height: auto; max-height: 10; min-height: 3; }
    FilterBuilderScreen #fb-json { height: auto; margin-top: 1; }
    FilterBuilderScreen #fb-cli { height: auto; margin-top: 1; color: $text-muted; }
    FilterBuilderScreen #fb-problem { height: auto; color: $error; }
    FilterBuilderScreen #fb-buttons { height: auto; align-horizontal: right; }
    FilterBuilderScreen #fb-buttons > Button { margin-left: 1; }
    /* Under 130 columns the three panes share the width, and the document and its command line
       (for scripts; a wider terminal shows them) give their room to the conditions. */
    FilterBuilderScreen.-narrow #fb-fields-pane { width: 24; }
    FilterBuilderScreen.-narrow #fb-condition-pane { width: 1fr; }
    FilterBuilderScreen.-narrow #fb-doc-pane { width: 1fr; }
    FilterBuilderScreen.-narrow #fb-json, FilterBuilderScreen.-narrow #fb-cli { display: none; }
    FilterBuilderScreen.-short #fb-top { margin-bottom: 0; }
    """
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (130, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    BINDINGS = [
        Binding("escape", "close", "Close", id="filter.close"),
        Binding("ctrl+s", "run", "Run", priority=True, id="filter.run"),
        Binding("ctrl+t", "toggle_mode", "People/Company", id="filter.toggle-mode"),
    ]

    def __init__(self, catalog: Any, *, mode: str = "people", max_results: int = 500,
                 conditions: list[Condition] | None = None) -> None:
        """`catalog` is a `filters.FieldCatalog`; `conditions` start the builder on an earlier search."""
        super().__init__()
        self.catalog = catalog
        self.mode = mode
        self.max_results = max_results
        self.conditions: list[Condition] = list(conditions or [])
        self.capabilities: FilterCapabilities | None = None
        self.fields: list[FilterField] = []
        self.shown_fields: list[FilterField] = []
        self.field: FilterField | None = None
        self.values: list[FieldValue] = []
        self.matches: int | None = None

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="fb-dialog") as dialog:
            dialog.border_title = "Filter search"
            dialog.border_subtitle = "enter add · d remove condition · ctrl+t people/company · ctrl+s run · esc"
            with Horizontal(id="fb-top"):
                yield Select([("People", "people"), ("Company", "company")], value=self.mode, allow_blank=False,
                             id="fb-mode", compact=True)
                yield Label("Max", id="fb-max-label")
                yield Input(str(self.max_results), id="fb-max", type="integer", compact=True, max_length=6)
                yield Static(Content(""), id="fb-count")
            with Horizontal(id="fb-body"):
                with Vertical(id="fb-fields-pane", classes="fb-pane") as fields_pane:
                    fields_pane.border_title = "Fields"
                    yield FieldFilter(placeholder="filter fields…", id="fb-field-filter", compact=True)
                    yield OptionList(id="fb-fields", compact=True, markup=False)
                with Vertical(id="fb-condition-pane", classes="fb-pane") as condition_pane:
                    condition_pane.border_title = "Condition"
                    yield Static(Content("Pick a field on the left."), id="fb-field-info")
                    yield Select([(str(op), op) for op in Op], value=Op.IS, allow_blank=False, id="fb-op",
                                 compact=True)
                    with Horizontal(id="fb-inputs"):
                        yield ValueInput(placeholder=OP_HINTS[Op.IS], id="fb-value", compact=True)
                        yield Input(placeholder="to (blank: no upper bound)", id="fb-high", compact=True)
                    yield Static(Content(""), id="fb-values-title", classes="fb-note")
                    yield OptionList(id="fb-values", compact=True, markup=False)
                    yield Button("Add condition", id="fb-add", compact=True)
                with Vertical(id="fb-doc-pane", classes="fb-pane") as doc_pane:
                    doc_pane.border_title = "Conditions"
                    yield ConditionList(id="fb-conditions", compact=True, markup=False)
                    yield Static(Content(""), id="fb-problem")
                    yield Static(Content(""), id="fb-json")
                    yield Static(Content(""), id="fb-cli")
            with Horizontal(id="fb-buttons"):
                yield Button("Run filter search", id="fb-run", variant="primary", compact=True)
                yield Button("Close", id="fb-close", compact=True)

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = False  # a blinking cursor repaints twice a second while nothing happens
        self.query_one("#fb-field-filter", Input).focus()
        self._show_document()
        self._load_fields()

    # -- fields --------------------------------------------------------------------------------
    @work(exclusive=True, group="filter-fields", exit_on_error=False)
    async def _load_fields(self) -> None:
        from sixtyfour_tui.api.errors import ApiError

        try:
            capabilities = await self.catalog.capabilities(self.mode)
        except ApiError as problem:
            self._problem(f"Fields unavailable: {problem.message}")
            return
        self.capabilities = capabilities
        self.fields = [field for field in capabilities.fields if field.queryable]
        known = {field.field for field in self.fields}
        dropped = [c for c in self.conditions if c.field not in known]
        if dropped:
            self.conditions = [c for c in self.conditions if c.field in known]
            names = ", ".join(sorted({clean_text(c.field) for c in dropped}))
            self.notify(f"Dropped the conditions on {names}: {self.mode} mode has no such field.", markup=False)
        self._show_fields(self.query_one("#fb-field-filter", Input).value)
        self._show_document()

    @on(Input.Changed, "#fb-field-filter")
    def _field_filter_changed(self, event: Input.Changed) -> None:
        self._show_fields(event.value)

    @on(Input.Submitted, "#fb-field-filter")
    def _field_filter_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one("#fb-fields", OptionList)
        if self.shown_fields:
            self.choose_field(self.shown_fields[options.highlighted or 0])

    def _show_fields(self, text: str) -> None:
        words = text.lower().split()
        typed = " ".join(words)
        matching = [f for f in self.fields if all(word in f.field.lower() for word in words)]
        # the field named exactly first, then those starting with the text: enter picks what was meant
        self.shown_fields = sorted(matching, key=lambda f: (f.field.lower() != typed,
                                                            not f.field.lower().startswith(typed)))
        options = self.query_one("#fb-fields", OptionList)
        options.clear_options()
        for field in self.shown_fields:
            kind = clean_text(field.field_type or field.value_type or "")
            options.add_option(Option(Text.assemble(clean_text(field.field), " ", (kind, "dim"),
                                                    no_wrap=True, overflow="ellipsis")))
        if self.shown_fields:
            options.highlighted = 0

    @on(OptionList.OptionSelected, "#fb-fields")
    def _field_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose_field(self.shown_fields[event.option_index])

    def choose_field(self, field: FilterField, op: Op | None = None) -> None:
        self.field = field
        if field in self.shown_fields:
            self.query_one("#fb-fields", OptionList).highlighted = self.shown_fields.index(field)
        details = [clean_text(field.field_type or field.value_type or "")]
        details += [word for word, yes in (("sortable", field.sortable), ("range", field.rangeable),
                                           ("top values", field.supports_top_values)) if yes]
        if field.nested_path:
            details.append(f"inside {clean_text(field.nested_path)}")
        self.query_one("#fb-field-info", Static).update(
            Content.assemble((clean_text(field.field), "bold"), "  ", (" · ".join(d for d in details if d), "dim")))
        ops = filters.operators_for(field)
        select = self.query_one("#fb-op", Select)
        select.set_options([(str(o), o) for o in ops])
        select.value = op if op in ops else ops[0]
        self._show_inputs()
        self.query_one("#fb-value", Input).value = ""
        self.query_one("#fb-high", Input).value = ""
        self._load_values()
        self.query_one("#fb-value" if select.value not in filters.NO_VALUE else "#fb-add").focus()

    # -- values --------------------------------------------------------------------------------
    def _scope(self, field: str) -> dict[str, Any] | None:
        """The other fields' conditions: values are counted among what they keep."""
        others = [condition for condition in self.conditions if condition.field != field]
        return filters.simple_filters_of(others) if others else None

    @work(exclusive=True, group="filter-values", exit_on_error=False)
    async def _load_values(self) -> None:
        from sixtyfour_tui.api.errors import ApiError

        field = self.field
        options = self.query_one("#fb-values", OptionList)
        options.clear_options()
        self.values = []
        title = self.query_one("#fb-values-title", Static)
        if field is None or not field.supports_top_values:
            title.update(Content("No list of values for this field: type one." if field else ""))
            return
        title.update(Content("Loading values…"))
        scope = self._scope(field.field)
        try:
            answer = await self.catalog.values(field.field, self.mode, top_k=VALUES_TOP_K, simple_filters=scope)
        except ApiError as problem:
            title.update(Content(shorten(clean_text(f"Values unavailable: {problem.message}"), 200)))
            return
        if self.field is not field:
            return
        self.values = list(answer.values)
        among = f"{answer.total_scoped_documents:,} " if answer.total_scoped_documents is not None else ""
        where = "matching the other conditions" if scope else f"in the {self.mode} index"
        title.update(Content(f"Top values among the {among}{where} · enter picks"))
        for value in self.values:
            shown = "(missing)" if value.value is None else shorten(filters.shown_value(value.value), 22)
            line = Text(shown.ljust(23), style="italic" if value.value is None else "", no_wrap=True,
                        overflow="ellipsis")
            percent = f" {value.percent_of_scope:5.1f}%" if value.percent_of_scope is not None else ""
            line.append(f"{value.count:>8,}{percent}", style="dim")
            options.add_option(Option(line))
        if self.values:
            options.highlighted = 0

    @on(OptionList.OptionSelected, "#fb-values")
    def _value_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        picked = self.values[event.option_index].value
        select = self.query_one("#fb-op", Select)
        value_input = self.query_one("#fb-value", Input)
        if picked is None:
            select.value = Op.MISSING
            return
        text = filters.shown_value(picked)
        if select.value in filters.SEVERAL_VALUES:
            parts = [part.strip() for part in value_input.value.split("|") if part.strip()]
            parts = [part for part in parts if part != text] if text in parts else parts + [text]
            value_input.value = " | ".join(parts)
        else:
            if select.value not in (Op.IS, Op.IS_NOT):
                select.value = Op.IS
            value_input.value = text
            value_input.focus()  # enter there adds the condition

    # -- the condition being written -----------------------------------------------------------
    @on(Select.Changed, "#fb-op")
    def _op_changed(self, event: Select.Changed) -> None:
        self._show_inputs()

    def _show_inputs(self) -> None:
        op = self.query_one("#fb-op", Select).value
        value_input = self.query_one("#fb-value", Input)
        value_input.display = op not in filters.NO_VALUE
        if isinstance(op, Op) and op in OP_HINTS:
            value_input.placeholder = OP_HINTS[op]
        self.query_one("#fb-high", Input).set_class(op == Op.RANGE, "-shown")

    @on(Input.Submitted, "#fb-value, #fb-high")
    def _value_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.add_condition()

    def written_condition(self) -> Condition:
        """The editor's field, operator and text as a condition (FilterSyntaxError if it is not one)."""
        field = self.field
        if field is None:
            raise FilterSyntaxError("pick a field first")
        op = Op(str(self.query_one("#fb-op", Select).value))
        text = self.query_one("#fb-value", Input).value.strip()
        kind = field.value_type
        if op in filters.NO_VALUE:
            return Condition(field.field, op)
        if op == Op.RANGE:
            high = self.query_one("#fb-high", Input).value.strip()
            low_value = filters.typed_value(text, kind, field.field, numeric=True) if text else None
            high_value = filters.typed_value(high, kind, field.field, numeric=True) if high else None
            return Condition(field.field, Op.RANGE, low=low_value, high=high_value)
        if not text:
            raise FilterSyntaxError(f"{field.field} {op} needs a value")
        if op == Op.CONTAINS:
            return filters.contains(field.field, text)
        if op in filters.SEVERAL_VALUES:
            parts = [part.strip() for part in text.split("|") if part.strip()]
            return Condition(field.field, op, tuple(filters.typed_value(p, kind, field.field) for p in parts))
        return Condition(field.field, op, (filters.typed_value(text, kind, field.field),))

    def add_condition(self) -> None:
        try:
            condition = self.written_condition()
        except FilterSyntaxError as problem:
            self._problem(str(problem))
            return
        self.conditions = filters.join_ranges([*self.conditions, condition])
        self.query_one("#fb-value", Input).value = ""
        self.query_one("#fb-high", Input).value = ""
        self._show_document()
        self._load_values()  # the counts of the other values change with it
        field_filter = self.query_one("#fb-field-filter", Input)
        field_filter.value = ""
        field_filter.focus()

    def remove_condition(self, index: int) -> None:
        if 0 <= index < len(self.conditions):
            del self.conditions[index]
            self._show_document()

    @on(OptionList.OptionSelected, "#fb-conditions")
    def _condition_selected(self, event: OptionList.OptionSelected) -> None:
        """Take a condition back into the editor to change it."""
        event.stop()
        condition = self.conditions.pop(event.option_index)
        field = next((f for f in self.fields if f.field == condition.field), None)
        self._show_document()
        if field is None:
            return
        self.choose_field(field, condition.op)
        if condition.op == Op.RANGE:
            for name, bound in (("#fb-value", condition.low), ("#fb-high", condition.high)):
                self.query_one(name, Input).value = "" if bound is None else filters.shown_value(bound)
        elif condition.values:
            self.query_one("#fb-value", Input).value = " | ".join(filters.shown_value(v) for v in condition.values)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "fb-add":
            self.add_condition()
        elif event.button.id == "fb-run":
            self.action_run()
        else:
            self.action_close()

    # -- the document --------------------------------------------------------------------------
    def _show_document(self) -> None:
        options = self.query_one("#fb-conditions", ConditionList)
        options.clear_options()
        for number, condition in enumerate(self.conditions, 1):
            options.add_option(Option(Text.assemble((f"{number} ", "dim"), condition.label())))
        if not self.conditions:
            options.add_option(Option(Text("No conditions yet", style="dim"), disabled=True))
        document = filters.simple_filters_of(self.conditions) if self.conditions else None
        self.query_one("#fb-json", Static).update(
            Content("simple_filters = " + filters.document_text(document)) if document else Content(""))
        command = filters.cli_command(self.conditions, self.mode) if self.conditions else None
        self.query_one("#fb-cli", Static).update(Content(f"Headless: {command}") if command else Content(""))
        problems = filters.limit_problems(document, self.capabilities.limits) \
            if document is not None and self.capabilities is not None else []
        self._problem("Beyond the API's limits: " + "; ".join(problems) if problems else "")
        self._count(document)

    def _problem(self, text: str) -> None:
        self.query_one("#fb-problem", Static).update(Content(shorten(clean_text(text), 400)))

    @work(exclusive=True, group="filter-count", exit_on_error=False)
    async def _count(self, document: dict[str, Any] | None) -> None:
        """How many the conditions keep, from the field-values route's scope (no search is run)."""
        from sixtyfour_tui.api.errors import ApiError

        count = self.query_one("#fb-count", Static)
        counter = next((f for f in self.fields if f.supports_top_values), None)
        if counter is None:
            count.update(Content(""))
            return
        try:
            answer = await self.catalog.values(counter.field, self.mode, top_k=1, simple_filters=document)
        except ApiError as problem:
            count.update(Content(shorten(clean_text(f"Count unavailable: {problem.message}"), 80)))
            return
        self.matches = answer.total_scoped_documents
        noun = "people" if self.mode == "people" else "companies"
        if self.matches is None:
            count.update(Content(""))
        elif document is None:
            count.update(Content(f"{self.matches:,} {noun} in the index"))
        else:
            count.update(Content(f"{self.matches:,} {noun} match"))

    # -- mode and leaving ----------------------------------------------------------------------
    @on(Select.Changed, "#fb-mode")
    def _mode_changed(self, event: Select.Changed) -> None:
        mode = str(event.value)
        if mode == self.mode:
            return
        self.mode = mode
        self.field = None
        self.fields = []
        self.query_one("#fb-field-info", Static).update(Content("Pick a field on the left."))
        self.query_one("#fb-values", OptionList).clear_options()
        self.query_one("#fb-values-title", Static).update(Content(""))
        self._load_fields()

    def action_toggle_mode(self) -> None:
        select = self.query_one("#fb-mode", Select)
        select.value = "company" if select.value == "people" else "people"

    def action_run(self) -> None:
        if not self.conditions:
            if self.field is not None and self.query_one("#fb-value", Input).value.strip():
                self.add_condition()  # the condition still being written counts
            if not self.conditions:
                self._problem("Add at least one condition.")
                return
        try:
            max_results = parse_max_results(self.query_one("#fb-max", Input).value)
        except RuleError as problem:
            self._problem(str(problem))  # the rule names the field itself
            return
        document = filters.simple_filters_of(self.conditions)
        if self.capabilities is not None and (problems := filters.limit_problems(document, self.capabilities.limits)):
            self._problem("Beyond the API's limits: " + "; ".join(problems))
            return
        self.dismiss(FilterRun(document, tuple(self.conditions), self.mode, max_results))

    def action_close(self) -> None:
        self.dismiss(None)
