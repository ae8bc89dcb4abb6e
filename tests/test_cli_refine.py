"""`filter`, `fields` and `preview` as real processes on the embedded sandbox."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

from tests import test_cli

run_cli = test_cli.run_cli
cli_env = test_cli.cli_env  # the same fixture: XDG folders of the test's own, a fast sandbox

VP_ENGINEERS = ["--where", "seniority=VP", "--where", "jobFunction=Engineering|Product"]


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def newest_job(env) -> dict:
    listed = run_cli(env, "jobs", "--sandbox", "--json")
    assert listed.returncode == 0, listed.stderr
    return [job for job in json_lines(listed.stdout) if job["kind"] == "search"][-1]


def test_filter_pages_through_every_row_and_stores_the_search(cli_env):
    done = run_cli(cli_env, "filter", *VP_ENGINEERS, "--mode", "people", "--max-results", "250", "--sandbox")
    assert done.returncode == 0, done.stderr
    rows = json_lines(done.stdout)
    assert len(rows) == 250 and len({row["publicId"] for row in rows}) == 250  # three pages, no repeats
    assert all(row["seniority"] == "VP" and row["jobFunction"] in ("Engineering", "Product") for row in rows)
    assert "seniority is VP · jobFunction any of Engineering | Product" in done.stderr
    job = newest_job(cli_env)
    assert job["source"] == "filter" and job["simple_filters"] == {
        "$and": [{"seniority": "VP"}, {"jobFunction": {"$in": ["Engineering", "Product"]}}]}
    assert job["rows_stored"] == 250
    again = run_cli(cli_env, "rows", job["job_id"])  # from the workspace, no network
    assert again.returncode == 0, again.stderr
    assert [row["publicId"] for row in json_lines(again.stdout)] == [row["publicId"] for row in rows]


def test_filter_with_a_json_document_exports_a_csv(cli_env, tmp_path):
    document = {"$or": [{"industry": "SaaS"}, {"industry": "Fintech"}], "employees_count": {"$gte": 1000},
                "$sort": {"employees_count": -1}}
    path = tmp_path / "filters.json"
    path.write_text(json.dumps(document))
    out = tmp_path / "big.csv"
    done = run_cli(cli_env, "filter", "--json", str(path), "--mode", "company", "--output", str(out), "--sandbox")
    assert done.returncode == 0, done.stderr
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    job = newest_job(cli_env)
    assert rows and len(rows) == job["total_results"] and "Saved" in done.stderr
    assert all(row["industry"] in ("SaaS", "Fintech") and int(row["employees_count"]) >= 1000 for row in rows)
    sizes = [int(row["employees_count"]) for row in rows]
    assert sizes == sorted(sizes, reverse=True)
    assert job["simple_filters"] == document


def test_filter_leaves_out_the_excluded(cli_env, tmp_path):
    first = run_cli(cli_env, "filter", "--where", "seniority=CXO", "--where", "jobFunction=Data", "--max-results",
                    "500", "--sandbox")
    assert first.returncode == 0, first.stderr
    everyone = json_lines(first.stdout)
    left_out = [row["linkedinUrl"] for row in everyone[:4]]
    (tmp_path / "contacted.txt").write_text("\n".join(left_out) + "\n")
    second = run_cli(cli_env, "filter", "--where", "seniority=CXO", "--where", "jobFunction=Data", "--max-results",
                     "500", "--exclude", str(tmp_path / "contacted.txt"), "--sandbox")
    assert second.returncode == 0, second.stderr
    kept = json_lines(second.stdout)
    assert "excluding" in second.stderr
    assert len(kept) == len(everyone) - 4 < 500
    assert {row["publicId"] for row in kept} == {row["publicId"] for row in everyone[4:]}


def test_filter_gives_up_at_its_timeout_on_a_stdin_that_never_closes(cli_env):
    """The deadline covers the whole command, reading `--json -` included."""
    process = subprocess.Popen([sys.executable, "-m", "sixtyfour_tui", "filter", "--json", "-", "--sandbox",
                                "--timeout", "3"], env=cli_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        code = process.wait(timeout=60)  # stdin stays open: nothing is ever written to it
    finally:
        process.kill()
        assert process.stdin is not None and process.stderr is not None
        process.stdin.close()
        err = process.stderr.read()
    assert code == 4, err
    assert "gave up after 3 s (--timeout): the filters had not been read from stdin" in err
    assert "Traceback" not in err


def test_filter_reads_its_document_from_stdin(cli_env):
    done = subprocess.run([sys.executable, "-m", "sixtyfour_tui", "filter", "--json", "-", "--mode", "company",
                           "--sandbox", "--max-results", "5"], env=cli_env, capture_output=True, text=True,
                          input=json.dumps({"industry": "Software"}), timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(json_lines(done.stdout)) == 5


def test_filter_mistakes_exit_2_with_a_reason(cli_env, tmp_path):
    typo = run_cli(cli_env, "filter", "--where", "senority=VP", "--sandbox")
    assert typo.returncode == 2 and "did you mean seniority" in typo.stderr
    wrong_mode = run_cli(cli_env, "filter", "--where", "employees_count>=100", "--mode", "people", "--sandbox")
    assert wrong_mode.returncode == 2 and "people mode has no field 'employees_count'" in wrong_mode.stderr
    unreadable = run_cli(cli_env, "filter", "--where", "seniority", "--sandbox")
    assert unreadable.returncode == 2 and "FIELD=VALUE" in unreadable.stderr
    both = run_cli(cli_env, "filter", "--where", "seniority=VP", "--json", str(tmp_path / "x.json"), "--sandbox")
    assert both.returncode == 2 and "not both" in both.stderr
    (tmp_path / "list.json").write_text("[1, 2]")
    not_object = run_cli(cli_env, "filter", "--json", str(tmp_path / "list.json"), "--sandbox")
    assert not_object.returncode == 2 and "JSON object" in not_object.stderr
    too_many = run_cli(cli_env, "filter", "--where", "title=" + "|".join(f"t{n}" for n in range(1001)), "--sandbox")
    assert too_many.returncode == 2 and "max_terms_per_clause" in too_many.stderr
    assert all("Traceback" not in done.stderr for done in (typo, wrong_mode, unreadable, both, not_object, too_many))


def test_fields_lists_fields_and_a_fields_top_values(cli_env, tmp_path):
    listed = run_cli(cli_env, "fields", "--mode", "company", "--json", "--sandbox")
    assert listed.returncode == 0, listed.stderr
    fields = {row["field"]: row for row in json_lines(listed.stdout)}
    assert fields["employees_count"]["rangeable"] and not fields["description"]["top_values"]
    table = run_cli(cli_env, "fields", "--mode", "company", "--sandbox")
    assert table.stdout.splitlines()[0].split()[:3] == ["FIELD", "TYPE", "VALUES"]
    assert len(table.stdout.splitlines()) == len(fields) + 1 and "limits:" in table.stderr

    top = run_cli(cli_env, "fields", "industry", "--mode", "company", "--top", "3", "--json", "--sandbox")
    assert top.returncode == 0, top.stderr
    values = json_lines(top.stdout)
    assert len(values) == 3 and [v["count"] for v in values] == sorted((v["count"] for v in values), reverse=True)
    scoped = run_cli(cli_env, "fields", "industry", "--mode", "company", "--top", "100", "--json",
                     "--where", "employees_count>=1000", "--sandbox")
    narrowed = json_lines(scoped.stdout)
    assert "matching the --where conditions" in scoped.stderr
    assert sum(v["count"] for v in narrowed) < sum(v["count"] for v in values)
    first = narrowed[0]
    (tmp_path / "scoped.json").write_text(json.dumps({"$and": [{"employees_count": {"$gte": 1000}},
                                                               first["filter_snippet"]]}))
    counted = run_cli(cli_env, "filter", "--json", str(tmp_path / "scoped.json"), "--mode", "company",
                      "--max-results", "10000", "--sandbox")
    assert counted.returncode == 0, counted.stderr
    assert len(json_lines(counted.stdout)) == first["count"]  # the count is what the search finds

    unknown = run_cli(cli_env, "fields", "salary", "--sandbox")
    assert unknown.returncode == 2 and "no field 'salary'" in unknown.stderr
    text_field = run_cli(cli_env, "fields", "description", "--mode", "company", "--sandbox")
    assert text_field.returncode == 2 and "no top values" in text_field.stderr


def test_preview_prints_the_chips_and_the_first_rows_and_runs_no_search(cli_env):
    done = run_cli(cli_env, "preview", "VP of Engneering in New York", "--rows", "3", "--sandbox")
    assert done.returncode == 0, done.stderr
    assert "Understood as: Seniority: VP · Function: Engineering · Location: New York" in done.stderr
    assert "read “engneering” as “engineering”" in done.stderr
    rows = json_lines(done.stdout)
    assert len(rows) == 3 and all(row["seniority"] == "VP" for row in rows)
    as_json = run_cli(cli_env, "preview", "VP of Engineering in New York", "--json", "--sandbox")
    answer = json.loads(as_json.stdout)
    assert answer["total_available"] >= len(answer["rows"]) > 0 and "Seniority: VP" in answer["chips"]
    jobs = run_cli(cli_env, "jobs", "--sandbox", "--json")
    assert jobs.stdout.strip() == ""  # nothing was stored
