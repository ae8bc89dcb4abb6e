"""Textual's Linux/macOS terminal driver, with an input thread that sleeps while nobody types.

Textual's input thread wakes ten times a second to ask the key parser whether a lone escape has
timed out, typing or not: 0.2-0.4% of a core in an idle app here. This one waits on the terminal
and on a wake-up pipe with no timeout, and ticks the parser only in the second after input came
(long enough for any escape delay). Stopping the driver writes to the pipe, so the thread still
ends at once; the rest of the driver is Textual's own.
"""

from __future__ import annotations

import os
import selectors
import threading
import time
from codecs import getincrementaldecoder

from textual import constants
from textual._xterm_parser import XTermParser  # the parser Textual's own loop uses
from textual.drivers.linux_driver import LinuxDriver

TICK = 0.1
"""How often the parser is ticked while input is recent (Textual's own interval)."""
RECENT = max(1.0, 2 * constants.ESCAPE_DELAY)
"""How long input counts as recent: a lone escape is a key only once this much has passed."""


class _WakingEvent(threading.Event):
    """The driver's exit event: setting it also wakes the input thread's wait, through the pipe
    of whichever input thread runs now (each has its own: a suspend closes the driver, a resume
    starts a new thread)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._wake_fd = -1

    def attach(self, wake_fd: int) -> None:
        with self._lock:
            self._wake_fd = wake_fd

    def detach(self) -> None:
        """The pipe is about to close: never write to its (soon reusable) descriptor again."""
        with self._lock:
            self._wake_fd = -1

    def set(self) -> None:
        with self._lock:
            super().set()
            if self._wake_fd >= 0:
                try:
                    os.write(self._wake_fd, b"\0")
                except OSError:  # full: a wake-up is already pending
                    pass


class QuietLinuxDriver(LinuxDriver):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.exit_event: _WakingEvent = _WakingEvent()

    def run_input_thread(self) -> None:
        wake, wake_write = os.pipe()
        os.set_blocking(wake, False)
        os.set_blocking(wake_write, False)
        self.exit_event.attach(wake_write)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        selector = selectors.SelectSelector()  # as Textual: select works on every terminal device
        selector.register(fileno, selectors.EVENT_READ)
        selector.register(wake, selectors.EVENT_READ)
        recent_until = 0.0
        try:
            while not self.exit_event.is_set():
                timeout = TICK if time.monotonic() < recent_until else None
                for key, _mask in selector.select(timeout):
                    if key.fd == wake:
                        _drain(wake)
                        continue
                    raw = os.read(fileno, 4096)
                    if not raw:  # end of input (a pipe): nothing more will come
                        selector.unregister(fileno)
                        continue
                    recent_until = time.monotonic() + RECENT
                    # A read may end inside a character: the decoder keeps its first bytes for the
                    # next read, and nothing is fed now (an empty feed tells the parser input ended).
                    text = decode(raw)
                    for event in parser.feed(text) if text else ():
                        self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            self.exit_event.detach()
            selector.close()
            for fd in (wake, wake_write):
                os.close(fd)
            try:
                for _event in parser.feed(""):
                    pass
            except Exception:  # what was left half-typed at exit is dropped, as Textual does
                pass


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass
