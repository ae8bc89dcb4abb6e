"""StoredRows when two readers page one search at once (the engine keeping the rows while the
results browser or a headless command reads them): each gets every row once, in order."""

from __future__ import annotations

from sixtyfour_tui.api.client import SixtyfourClient
from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.jobs.stored_rows import StoredRows
from tests.engines import finished_on_server, open_workspace, read_rows_after


async def test_a_reader_gets_the_rows_another_reader_stored_while_it_paged(fast_sandbox, tmp_path):
    workspace = open_workspace(tmp_path)
    async with SixtyfourClient(fast_sandbox.api_key, fast_sandbox.base_url) as client:
        job, reader, first = await read_first_page(client, workspace)
        assert len(first) == reader.page_size and reader.has_more_after(len(first))

        keeper = StoredRows(client, workspace, job)  # stores the rest meanwhile
        await keeper.open()
        kept = first + await read_rows_after(keeper, len(first))
        assert keeper.complete and workspace.result_info(job.job_id).stored == len(kept)

        pages_before = len(fast_sandbox.state.request_log.entries("/search/query", "POST"))
        rest = await read_rows_after(reader, len(first))
        assert [row["publicId"] for row in first + rest] == [row["publicId"] for row in kept]
        assert len(fast_sandbox.state.request_log.entries("/search/query", "POST")) == pages_before  # read back
    workspace.close()


async def read_first_page(client: SixtyfourClient, workspace) -> tuple[JobRecord, StoredRows, list[dict]]:
    """A 350-row search finished on the server and saved as a job; a reader of it, and the first
    page it read (from the API, now stored)."""
    job = await finished_on_server(client, "engineers in Denver", 350)
    workspace.save_jobs([job])
    reader = StoredRows(client, workspace, job)
    await reader.open()
    return job, reader, await reader.rows_after(0)


async def test_stored_rows_the_workspace_cannot_give_back_are_an_error_not_an_endless_empty_page(
        fast_sandbox, tmp_path):
    import pytest

    from sixtyfour_tui.workspace.database import StorageError

    workspace = open_workspace(tmp_path)
    async with SixtyfourClient(fast_sandbox.api_key, fast_sandbox.base_url) as client:
        _job, reader, first = await read_first_page(client, workspace)  # one page from the API, stored
        await reader.open()
        assert reader.stored == len(first) and reader.has_more_after(0)
        workspace.close()  # the file is damaged under it: the store can no longer be read
        for leftover in tmp_path.glob("workspace.sqlite3-*"):
            leftover.unlink()
        (tmp_path / "workspace.sqlite3").write_bytes(b"not a database" * 512)
        with pytest.raises(StorageError):
            await reader.rows_after(0)
