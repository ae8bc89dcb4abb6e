"""The log file: where background failures show up, never with the key in them."""

from __future__ import annotations

import logging

from sixtyfour_tui.logs import LOGGER_NAME, redact_in_logs, setup_logging

SECRET = "sk-live-0123456789abcdef"


def test_errors_reach_the_log_file_with_the_key_blanked(tmp_path):
    path = tmp_path / "state" / "app.log"
    assert setup_logging(path=path) == path
    redact_in_logs(SECRET)
    log = logging.getLogger(f"{LOGGER_NAME}.jobs.engine")
    try:
        raise RuntimeError(f"request with x-api-key: {SECRET} failed")
    except RuntimeError:
        log.exception("job %s: unexpected error (%s)", "j-1", SECRET)
    for handler in logging.getLogger(LOGGER_NAME).handlers:
        handler.flush()
    text = path.read_text()
    assert "job j-1: unexpected error" in text and "RuntimeError" in text and "Traceback" in text
    assert SECRET not in text and "[redacted]" in text
    assert path.parent.stat().st_mode & 0o077 == 0


async def test_a_bug_in_a_job_fails_it_with_a_message_and_is_logged(fast_sandbox, tmp_path, caplog):
    """A poller that raises must not hold one of the five slots."""
    from tests.engines import close, start_engine

    engine = await start_engine(fast_sandbox, tmp_path)

    async def broken(task_id, **kwargs):
        raise KeyError("a bug")

    engine.client.task_status = broken
    try:
        with caplog.at_level(logging.ERROR, logger=LOGGER_NAME):
            logging.getLogger(LOGGER_NAME).propagate = True
            job = engine.submit("engineers in Lyon", max_results=5)
            final = await engine.wait(job.job_id)
        assert final.status == "failed" and "Unexpected error" in final.error and final.error_kind == "bug"
        assert engine.running_count == 0
        assert any("unexpected error" in record.getMessage() for record in caplog.records)
    finally:
        logging.getLogger(LOGGER_NAME).propagate = False
        await close(engine)
