"""The one exception type a user sees: bad input, named by file and key."""

from __future__ import annotations

from pathlib import Path


class WlpmaskError(Exception):
    """Bad input the user can act on.

    Args:
        message: what is wrong and what was expected.
        file: the file the problem is in, if any.
        key: the key (dotted TOML path, GDS cell, CSV row ...) inside that file, if any.
    """

    def __init__(self, message: str, *, file: str | Path | None = None, key: str | None = None):
        self.message = message
        self.file = str(file) if file is not None else None
        self.key = key
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The message on one line: "file: key: message" (file and key when known)."""
        where = ""
        if self.file and self.key:
            where = f"{self.file}: {self.key}: "
        elif self.file:
            where = f"{self.file}: "
        elif self.key:
            where = f"{self.key}: "
        return (where + self.message).replace("\n", " ")
