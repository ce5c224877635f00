"""Tokens of LEF and DEF text, with line numbers for error messages; DEF name escapes."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import WlpmaskError

ORIENTATIONS = ("N", "S", "E", "W", "FN", "FS", "FE", "FW")
_TOKEN = re.compile(r'"[^"]*"|[()]|[^\s()]+')
_ESCAPE = re.compile(r"\\(.)")


def unescape(name: str) -> str:
    r"""A name without DEF escapes: a backslash before a character is dropped.

    Any character (``\[``, ``\]``, ``\/``, any other) loses its backslash, so ``pad\[0\]``
    reads ``pad[0]``.

    Args:
        name: the name as written in a DEF file (or a file made from one).
    """
    return _ESCAPE.sub(r"\1", name)


class _Tokens:
    """A token stream with line numbers, for error messages that point at the input."""

    def __init__(self, text: str, file: str):
        self.file = file
        toks: list[str] = []
        lines: list[int] = []
        for lineno, line in enumerate(text.splitlines(), start=1):
            hash_at = _comment_start(line)
            if hash_at >= 0:
                line = line[:hash_at]
            for m in _TOKEN.finditer(line):
                toks.append(m.group(0))
                lines.append(lineno)
        self.toks = toks
        self.lines = lines
        self.i = 0

    def error(self, message: str, at: int | None = None) -> WlpmaskError:
        i = self.i if at is None else at
        i = min(i, len(self.lines) - 1)
        line = self.lines[i] if self.lines else 0
        return WlpmaskError(message, file=self.file, key=f"line {line}")

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self, what: str = "a token") -> str:
        if self.i >= len(self.toks):
            raise self.error(f"unexpected end of file, expected {what}")
        t = self.toks[self.i]
        self.i += 1
        return t

    def name(self, what: str) -> str:
        """The next token as a name, DEF escapes removed."""
        return unescape(self.next(what))

    def expect(self, value: str) -> None:
        t = self.next(repr(value))
        if t != value:
            raise self.error(f"expected {value!r}, found {t!r}", self.i - 1)

    def number(self, what: str = "a number") -> float:
        t = self.next(what)
        try:
            return float(t)
        except ValueError:
            raise self.error(f"expected {what}, found {t!r}", self.i - 1) from None

    def skip_statement(self) -> None:
        while self.next("';'") != ";":
            pass

    def skip_to_end(self, name: str) -> None:
        """Skip a LEF section up to and including `END name`."""
        start = self.i
        while self.i < len(self.toks) - 1:
            if self.toks[self.i] == "END" and self.toks[self.i + 1] == name:
                self.i += 2
                return
            self.i += 1
        raise self.error(f"section {name!r} has no 'END {name}'", start)

    def point(self) -> tuple[str, str]:
        """A DEF point '( x y )' whose coordinates may be '*'."""
        self.expect("(")
        x = self.next("x")
        y = self.next("y")
        t = self.next("')'")
        if t != ")":  # optional extension value
            if self.next("')'") != ")":
                raise self.error("malformed point, expected ')'", self.i - 1)
        return x, y


def _comment_start(line: str) -> int:
    inside = False
    for k, ch in enumerate(line):
        if ch == '"':
            inside = not inside
        elif ch == "#" and not inside and (k == 0 or line[k - 1].isspace()):
            return k
    return -1


def _read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise WlpmaskError(f"cannot read: {exc.strerror or exc}", file=path) from None
