"""Counting a CSV's records fast, and telling a whole CSV body from one cut short."""

from __future__ import annotations

import csv
import io
import random

import pytest

from sixtyfour_tui.api.csv_shape import CsvRecordCounter, _count_with_csv_module, count_csv_rows, inspect_csv


def test_count_csv_rows_handles_quoted_newlines_and_blank_lines(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b'a,b\n"multi\nline\nvalue",2\n\n3,4\n')
    assert count_csv_rows(path) == 2
    path.write_bytes(b"")
    assert count_csv_rows(path) == 0
    path.write_bytes(b"only,header\n")
    assert count_csv_rows(path) == 0


def _random_csv(rng) -> bytes:
    """Multi-column CSV as csv.writer makes it, with quoted commas, quotes and line breaks."""
    pieces = ["plain", "a,b", 'say "hi"', "two\nlines", "cr\r\nlf", "", " ", '""', "é ü"]
    if rng.random() < 0.3:
        pieces.append("lone\rcr")  # left unquoted by csv.writer when the line end is "\n"
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=rng.choice(["\r\n", "\n"]))
    columns = rng.randint(2, 5)
    for _ in range(rng.randint(0, 40)):
        writer.writerow([rng.choice(pieces) + rng.choice(pieces) for _ in range(columns)])
    text = out.getvalue()
    if text and rng.random() < 0.5:
        text = text[:-len(writer.dialect.lineterminator)]  # last record without a line end
    return text.encode()


def _chunked(data: bytes, rng) -> list[bytes]:
    cuts = sorted(rng.sample(range(len(data) + 1), min(len(data) + 1, rng.randint(0, 6))))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]


def test_streaming_row_count_matches_the_csv_module_however_the_bytes_are_cut(tmp_path):
    rng = random.Random(64)
    path = tmp_path / "r.csv"
    fast = 0
    for _ in range(400):
        data = _random_csv(rng)
        path.write_bytes(data)
        counter = CsvRecordCounter()
        for chunk in _chunked(data, rng):
            counter.feed(chunk)
        expected = _count_with_csv_module(path)
        assert counter.rows() in (None, expected), data
        assert count_csv_rows(path) == expected
        fast += counter.rows() is not None
    assert fast > 100  # most of these need no csv module at all


def test_an_export_shaped_csv_is_counted_without_the_csv_module():
    data = b'name,title\r\n' + b'Ada,"VP, Eng"\r\n"Bob ""B""",CTO\r\n' * 1000 + b'"Cy\r\nJr",x'
    counter = CsvRecordCounter()
    for start in range(0, len(data), 7):
        counter.feed(data[start:start + 7])
    assert counter.rows() == 2001


def test_blank_lines_and_single_column_files_fall_back_to_the_csv_module(tmp_path):
    cases = [(b"a,b\n\n1,2\n", 1), (b"name\nAda\nBob\n", 2), (b"\na,b\n1,2\n", 1), (b'a,b\n"open', 1),
             (b"a,b\rlone\n1,2\n", 2)]
    for data, rows in cases:
        counter = CsvRecordCounter()
        counter.feed(data)
        assert counter.rows() is None
        path = tmp_path / "x.csv"
        path.write_bytes(data)
        assert count_csv_rows(path) == rows


# -- is the body whole? -----------------------------------------------------------------------------

PEOPLE = (b"full_name,title,seniority,job_function,company_name,company_domain,location,linkedin_url,email\r\n"
          b"Jessica Yang,Engineering Manager,Manager,Engineering,Acme,acme.io,Austin,https://x/in/jy,jy@acme.io\r\n")


def problem(tmp_path, data: bytes, *, length_verified: bool) -> str | None:
    path = tmp_path / "body.csv"
    path.write_bytes(data)
    return inspect_csv(path).problem(length_verified=length_verified)


def test_the_issue_body_a_last_line_with_4_of_9_fields_is_incomplete(tmp_path):
    cut = PEOPLE[: PEOPLE.index(b",Acme")]  # what --truncate-downloads left of a 1-row search
    assert problem(tmp_path, cut, length_verified=False) == "the last record has 4 of 9 fields"
    assert problem(tmp_path, cut, length_verified=True) == "the last record has 4 of 9 fields"


def test_a_whole_body_passes_with_or_without_a_length(tmp_path):
    assert problem(tmp_path, PEOPLE, length_verified=False) is None
    assert problem(tmp_path, PEOPLE, length_verified=True) is None
    assert problem(tmp_path, PEOPLE.split(b"\r\n")[0] + b"\r\n", length_verified=False) is None  # header only


def test_a_last_record_without_line_break_needs_a_verified_length(tmp_path):
    """RFC 4180 allows it; only a Content-Length tells it from a cut at the end of a field."""
    unterminated = PEOPLE[:-2]
    assert problem(tmp_path, unterminated, length_verified=True) is None
    assert problem(tmp_path, unterminated, length_verified=False) == (
        "the body ends mid-line and no Content-Length vouches for its length"
    )


def test_a_body_cut_inside_a_quoted_field_is_incomplete(tmp_path):
    data = b'name,bio\r\nAda,"first line\r\nsecond, with a comma'
    assert problem(tmp_path, data, length_verified=True) == "the body ends inside a quoted field"


def test_quoted_commas_and_line_breaks_in_the_last_record_are_counted_as_fields_correctly(tmp_path):
    data = b'a,b,c\r\n1,"x, y","two\r\nlines"\r\n"p ""q""",r,"s,\r\nt"\r\n'
    summary_path = tmp_path / "q.csv"
    summary_path.write_bytes(data)
    summary = inspect_csv(summary_path)
    assert (summary.rows, summary.header_fields, summary.last_fields) == (2, 3, 3)
    assert summary.problem(length_verified=False) is None


def test_an_empty_body_is_whole_only_when_its_length_said_zero(tmp_path):
    assert problem(tmp_path, b"", length_verified=True) is None
    assert problem(tmp_path, b"", length_verified=False) == "the body is empty and no Content-Length says it should be"


@pytest.mark.parametrize("max_window", [4096, 64], ids=["wider-window", "streamed"])
def test_a_last_record_longer_than_the_tail_window_is_still_found(tmp_path, monkeypatch, max_window):
    import sixtyfour_tui.api.csv_shape as csv_shape

    monkeypatch.setattr(csv_shape, "TAIL_WINDOW", 16)
    monkeypatch.setattr(csv_shape, "MAX_TAIL_WINDOW", max_window)
    data = b'a,b,c\n1,"x\ny",3\n4,"' + b"long\n " * 100 + b'"'
    assert problem(tmp_path, data, length_verified=True) == "the last record has 2 of 3 fields"
    assert problem(tmp_path, data + b",6\n", length_verified=False) is None


def test_lone_cr_line_ends_are_read_as_the_csv_module_reads_them(tmp_path):
    assert problem(tmp_path, b"a,b,c\r1,2,3\r", length_verified=False) is None
    assert problem(tmp_path, b"a,b,c\r1,2\r", length_verified=False) == "the last record has 2 of 3 fields"


def test_no_cut_of_a_csv_writer_file_passes_unless_it_keeps_whole_records(tmp_path):
    """Whatever byte a body is cut at, the check passes only if the records it keeps are whole:
    the csv module reads them as the first records of the full file."""
    rng = random.Random(4180)
    path = tmp_path / "cut.csv"
    checked = caught = 0
    for _ in range(150):
        full = _random_csv(rng)
        if not full:
            continue
        records = _records(full)
        for cut in sorted(rng.sample(range(len(full)), min(len(full), 12))):
            path.write_bytes(full[:cut])
            if inspect_csv(path).problem(length_verified=False) is None:
                kept = _records(full[:cut])
                assert kept == records[: len(kept)], (full, cut)
                checked += 1
            else:
                caught += 1
    assert checked > 50 and caught > 500


def _records(data: bytes) -> list[list[str]]:
    return [r for r in csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline="")) if r]


@pytest.mark.parametrize("terminator", ["\r\n", "\n"])
def test_every_complete_csv_writer_file_passes(tmp_path, terminator):
    rng = random.Random(len(terminator))
    path = tmp_path / "whole.csv"
    for _ in range(100):
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator=terminator)
        columns = rng.randint(1, 5)
        for _ in range(rng.randint(1, 30)):
            writer.writerow([rng.choice(["x", "a,b", 'q"q', "l\nl", "", "é"]) for _ in range(columns)])
        path.write_bytes(out.getvalue().encode())
        assert inspect_csv(path).problem(length_verified=False) is None, out.getvalue()
