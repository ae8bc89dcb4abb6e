"""Row flattening and terminal-safe text."""

from __future__ import annotations

import pytest

from sixtyfour_tui.api import flatten_row, sanitize_text
from sixtyfour_tui.api.rows import compact_list

PERSON = {
    "publicId": "ada-l",
    "fullName": "Ada Lovelace",
    "email": None,
    "currentCompanies": [
        {
            "company": {"companyId": "c1", "name": "Analytical Engines", "domain": "ae.io"},
            "positions": [{"title": "CTO"}],
        },
        {"company": {"companyId": "c2", "name": "Difference Ltd"}, "positions": []},
    ],
}

COMPANY = {
    "source_id": "co-1",
    "company_name": "Acme",
    "employees_count": 120,
    "is_public": False,
    "last_funding_round": {"type": "Series B", "amount_raised": 25000000, "announced_date": "2023-04-01"},
    "tags": ["fintech", "payments"],
}


def test_nested_dicts_become_dotted_columns():
    assert flatten_row(COMPANY) == {
        "source_id": "co-1",
        "company_name": "Acme",
        "employees_count": 120,
        "is_public": False,
        "last_funding_round.type": "Series B",
        "last_funding_round.amount_raised": 25000000,
        "last_funding_round.announced_date": "2023-04-01",
        "tags": "fintech, payments",
    }


def test_current_companies_show_company_names():
    flat = flatten_row(PERSON)
    assert flat["currentCompanies"] == "Analytical Engines, Difference Ltd"
    assert flat["email"] is None
    assert flat["fullName"] == "Ada Lovelace"


def test_deep_nesting_and_empty_containers():
    flat = flatten_row({"a": {"b": {"c": 1}}, "empty": {}, "none": [], "mixed": [1, None, "x"]})
    assert flat == {"a.b.c": 1, "empty": None, "none": "", "mixed": "1, , x"}


def test_unknown_list_shapes_fall_back_to_compact_json():
    assert compact_list([{"x": 1, "y": [2]}]) == '{"x":1,"y":[2]}'.join("[]")
    assert compact_list([[1, 2], [3]]) == "[[1,2],[3]]"
    assert compact_list([{"name": "A"}, {"zzz": 1}]) == '[{"name":"A"},{"zzz":1}]'


def test_list_of_dicts_prefers_names_over_ids():
    assert compact_list([{"id": 7, "company": {"name": "Acme"}}]) == "Acme"
    assert compact_list([{"id": 7}, {"id": 8}]) == "7, 8"
    assert compact_list([{"title": "CTO"}, {"title": "VP"}]) == "CTO, VP"


def test_flatten_does_not_touch_the_input():
    original = {"a": {"b": 1}}
    flatten_row(original)
    assert original == {"a": {"b": 1}}


@pytest.mark.parametrize(
    "hostile,expected",
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x07", ""),
        ("[bold]x[/]", "[bold]x[/]"),
        ("a\x1b]0;pwned title\x07b", "ab"),
        ("\x1b]8;;https://evil.test\x1b\\click\x1b]8;;\x1b\\", "click"),
        ("\x1b[2J\x1b[Hcleared", "cleared"),
        ("x\x1bPq#0;2;0;0;0\x1b\\y", "xy"),
        ("\x9b31mc1-csi", "c1-csi"),
        ("null\x00byte\x7fdel", "nullbytedel"),
        ("line1\nline2\tcol\r", "line1 line2 col "),
        ("\u202eevil\u202c", "evil"),
        ("trailing escape\x1b", "trailing escape"),
        ("\x1b(0box\x1b(B", "box"),  # charset switches
        ("Zoë 👩‍💻 日本", "Zoë 👩‍💻 日本"),
    ],
)
def test_sanitize_text_strips_everything_a_terminal_could_interpret(hostile, expected):
    assert sanitize_text(hostile) == expected


def test_sanitize_output_has_no_control_characters_at_all():
    nasty = "".join(chr(c) for c in range(0, 0xA0)) + "\x1b[1;31mX"
    cleaned = sanitize_text(nasty)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in cleaned)
    assert cleaned.endswith("X")


def test_sanitize_none_and_non_strings():
    assert sanitize_text(None) == ""
    assert sanitize_text(42) == "42"
    assert sanitize_text(False) == "False"


def test_sanitize_can_keep_newlines_for_detail_views():
    assert sanitize_text("a\r\nb\x1b[0m\rc\td\x07", keep_newlines=True) == "a\nb\nc d"
