"""The results table's data model, free of Textual: rows (`row_store`), readable header labels
(`labels`), views as data (`view`) and files written from a view (`writers`). The TUI's table
draws it; the headless CLI builds the same views and writes the same bytes."""
