"""A progress line on stderr for runs long enough that a silent terminal looks hung.

Shown only on a terminal, and only once a run has taken ``DELAY`` seconds: short runs and CI logs
stay clean. The line is rewritten in place and cleared when the run ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

DELAY = 2.0  # seconds before the first line


class Progress:
    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.stream.isatty() or self.clock() - self.started < DELAY:
            return
        self.stream.write(f"\rcfnfix: {done}/{total} files")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
