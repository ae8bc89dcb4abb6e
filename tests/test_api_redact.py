"""The one redaction mechanism: text, decoded JSON, and byte streams cut anywhere."""

from __future__ import annotations

import json
import random

from sixtyfour_tui.api.redact import REDACTED, Redactor

SECRET = "sk-sandbox-demo"


def _stream(redactor: Redactor, chunks: list[bytes]) -> bytes:
    stream = redactor.stream()
    out = b"".join(bytes(stream.feed(chunk)) for chunk in chunks)
    return out + stream.finish()


def test_streamed_bytes_come_out_as_one_replace_would_give_however_they_are_cut():
    rng = random.Random(7)
    redactor = Redactor(SECRET)
    pieces = [SECRET.encode(), b"sk-", b"sk-sandbox-", b"s", b"x" * 50, b",", b"\r\n", SECRET[:-1].encode()]
    for _ in range(500):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        cuts = sorted(rng.sample(range(len(data) + 1), min(len(data) + 1, rng.randint(0, 8))))
        chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]
        assert _stream(redactor, chunks) == data.replace(SECRET.encode(), REDACTED.encode()), (data, cuts)


def test_a_chunk_without_a_possible_secret_start_passes_through_uncopied():
    stream = Redactor(SECRET).stream()
    chunk = b"name,title\r\nAda,CTO\r\n" * 100
    assert stream.feed(chunk) is chunk
    assert stream.finish() == b""


def test_a_secret_cut_one_byte_at_a_time_is_still_caught():
    data = b"a," + SECRET.encode() + b",b"
    assert _stream(Redactor(SECRET), [data[i:i + 1] for i in range(len(data))]) == b"a,[redacted],b"


def test_json_is_only_walked_when_the_raw_body_could_hold_the_secret():
    redactor = Redactor(SECRET)
    clean = {"rows": [{"name": "Ada"}]}
    assert redactor.json(json.dumps(clean).encode(), clean) is clean
    escaped = json.dumps({"note": SECRET.replace("s", "\\u0073")}).replace("\\\\", "\\").encode()
    assert json.loads(escaped) == {"note": SECRET}
    assert redactor.json(escaped, json.loads(escaped)) == {"note": REDACTED}


def test_an_empty_secret_redacts_nothing():
    redactor = Redactor("")
    assert redactor.text("anything") == "anything"
    assert _stream(redactor, [b"ab", b"cd"]) == b"abcd"
    assert redactor.tree({"a": ["b"]}) == {"a": ["b"]}
