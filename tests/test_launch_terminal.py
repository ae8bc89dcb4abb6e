"""The real launch: `sixtyfour-tui --sandbox` in a pseudo-terminal, as a user starts it.

`run_test` runs the app differently from `App.run()` (it gives the app a task of its own, for one);
this is the one test that goes through the console entry point, the real driver and the embedded
sandbox's child process, and reads what reaches the terminal.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable

import pytest

ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78]")
DEADLINE = 30.0

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs a Linux pty")


class Terminal:
    """A pty of `columns` x `rows` running one command; `text` is everything it printed, escapes removed."""

    def __init__(self, command: list[str], columns: int = 80, rows: int = 24) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)}
        self.process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True, close_fds=True)
        os.close(slave)
        self.raw = b""

    @property
    def text(self) -> str:
        return self.text_since(0)

    def text_since(self, offset: int) -> str:
        return ESCAPES.sub(b"", self.raw[offset:]).decode("utf-8", "replace")

    def read_until(self, *wanted: str, timeout: float = DEADLINE, since: int = 0) -> str:
        """Read until every part of `wanted` has shown, in what came after byte `since`."""
        self.read_while(lambda: not all(part in self.text_since(since) for part in wanted), f"{wanted!r}", timeout)
        return self.text

    def read_while(self, waiting: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
        """Take in output while `waiting()` holds; fail, showing the screen, if it still does at the deadline."""
        deadline = time.monotonic() + timeout
        while waiting():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise AssertionError(f"never showed {what}; the terminal showed:\n{self.text[-3000:]}")
            ready, _, _ = select.select([self.master], [], [], min(remaining, 0.2))
            if ready:
                try:
                    self.raw += os.read(self.master, 65536)
                except OSError:  # the other side closed
                    continue

    def read_available(self, wait: float = 0.05) -> None:
        """Take in what the app printed, waiting at most `wait` for the first of it."""
        while select.select([self.master], [], [], wait)[0]:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the other side closed
                return
            if not chunk:
                return
            self.raw += chunk
            wait = 0

    def type(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> int | None:
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        os.close(self.master)
        return self.process.returncode


def test_the_app_starts_on_the_sandbox_becomes_ready_and_quits_cleanly():
    terminal = Terminal([sys.executable, "-m", "sixtyfour_tui", "--sandbox"])
    try:
        # Ready: the slots in the top bar, and the results browser, which mounts only after them.
        shown = terminal.read_until("New search", "0/5 running", "No search open")
        assert "Something went wrong" not in shown and "Traceback" not in shown
        terminal.type(b"\x11")  # ctrl+q: nothing is running, so it quits without asking
    finally:
        code = terminal.close()
    assert code == 0, terminal.text[-3000:]
    assert "Traceback" not in terminal.text


def _input_thread(pid: int) -> str | None:
    """The app's thread that waits on the terminal: the one asleep in select (the event loop
    waits in epoll, the other threads on locks). None where the kernel does not say."""
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/wchan") as wchan:
                where = wchan.read()
        except OSError:
            continue
        if "select" in where or where.startswith("poll_schedule_timeout"):
            return task
    return None


def _wakeups(pid: int, task: str) -> int:
    with open(f"/proc/{pid}/task/{task}/status") as status:
        line = next(line for line in status if line.startswith("voluntary_ctxt_switches"))
    return int(line.split()[1])


def test_the_input_thread_sleeps_between_keys_and_a_lone_escape_still_arrives():
    """Textual's own input loop wakes ten times a second to tick its key parser; the app's driver
    waits on the terminal until a key (or the app's exit) comes."""
    terminal = Terminal([sys.executable, "-m", "sixtyfour_tui", "--sandbox"])
    try:
        terminal.read_until("0/5 running", "No search open")
        task = _input_thread(terminal.process.pid)
        if task is None:
            pytest.skip("this kernel does not show where a thread waits")
        before = _wakeups(terminal.process.pid, task)
        time.sleep(1.5)  # a window of nothing typed: Textual's loop would wake ~15 times in it
        assert _wakeups(terminal.process.pid, task) - before <= 2

        terminal.type(b"\x1bOP")  # F1: the help screen
        terminal.read_until("escape closes")
        mark = len(terminal.raw)
        terminal.type(b"\x1b")  # a lone escape is a key only once the parser's delay has passed
        terminal.read_until("No search open", since=mark)  # the help closed: the main screen repainted
        terminal.type(b"zqxj")
        terminal.read_until("zqxj", since=mark)  # typed into the composer, not taken as alt+z
        # A read that ends inside a character ("é" is two bytes): the gap makes the app read the
        # first byte on its own; the character and what follows must still arrive.
        terminal.type(b"\xc3")
        time.sleep(0.3)
        terminal.type(b"\xa9t\xc3\xa9")
        terminal.read_until("zqxjété", since=mark)
        terminal.type(b"\x11")
    finally:
        code = terminal.close()
    assert code == 0, terminal.text[-3000:]  # the exit woke the input thread: it did not hang


def _stopped(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "T"


def test_a_suspended_app_resumes_and_still_takes_keys_and_quits():
    """SIGTSTP closes the driver and SIGCONT starts it again: the whole screen is painted again, and
    the new input thread waits on a wake-up pipe of its own (the old one was closed with the driver)."""
    terminal = Terminal([sys.executable, "-m", "sixtyfour_tui", "--sandbox"])
    pid = terminal.process.pid
    try:
        terminal.read_until("0/5 running", "No search open")
        os.kill(pid, signal.SIGTSTP)
        deadline = time.monotonic() + DEADLINE
        while not _stopped(pid):
            assert time.monotonic() < deadline, "the app never suspended"
            terminal.read_available()
        terminal.read_available(wait=0)  # what it printed before it stopped (nothing more can come)
        mark = len(terminal.raw)
        os.kill(pid, signal.SIGCONT)
        # Back in application mode, the alternate screen comes back empty: every one of its rows is
        # painted again, not only the ones that changed while the app was stopped (Textual positions
        # the cursor at the start of each row it paints).
        every_row = set(range(1, 25))

        def unpainted() -> set[int]:
            return every_row - {int(row) for row in re.findall(rb"\x1b\[(\d+);1H", terminal.raw[mark:])}

        terminal.read_while(lambda: bool(unpainted()), "every row painted again after the resume")
        assert "No search open" in terminal.text_since(mark)
        terminal.type("wörld".encode())  # a character of two bytes, through the new thread
        terminal.read_until("wörld", since=mark)
        terminal.type(b"\x11")
    finally:
        code = terminal.close()
    assert code == 0, terminal.text[-3000:]
    assert "Traceback" not in terminal.text
