"""Progress on a terminal: what a long command is doing, with a bar where work is countable.

The line is redrawn in place on standard error, and only when that is a terminal: piped or
redirected output stays free of it. Nothing is shown during the first second, so short
commands print nothing extra.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["TerminalProgress"]

_BAR = 24


class TerminalProgress:
    """A Progress (phase, done, total) drawing one line on a terminal.

    Args:
        stream: where to draw (default: standard error); nothing is drawn unless it is a tty.
        delay_s: how long to stay silent after the start.
        enabled: False draws nothing at all (--quiet).
    """

    def __init__(self, stream: TextIO | None = None, *, delay_s: float = 1.0,
                 enabled: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.start = time.monotonic()
        self.delay_s = delay_s
        self.width = 0
        self.last = 0.0

    def __call__(self, phase: str, done: int = 0, total: int = 0) -> None:
        """Show the phase, and a bar with n/N when total > 0.

        Args:
            phase: what is being done.
            done: units finished.
            total: units in all (0: not countable).
        """
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.start < self.delay_s or (now - self.last < 0.05 and done < total):
            return
        self.last = now
        text = phase
        if total > 0:
            filled = int(_BAR * min(done, total) / total)
            text = f"{phase} [{'#' * filled}{'.' * (_BAR - filled)}] {done}/{total}"
        pad = max(0, self.width - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self.width = len(text)

    def close(self) -> None:
        """Clear the line."""
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
