"""File input and output: GDS, KLayout layer properties and report databases.

Every writer goes through `atomic_write`, so a failure never leaves a half-written file.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import WlpmaskError

__all__ = ["atomic_write", "current_umask", "json_text", "name_list", "write_text_atomic"]


def current_umask() -> int:
    """The process's file-mode creation mask."""
    # os.umask can only be read by setting it; restore at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_write(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; it replaces `path` only if the block succeeds.

    Args:
        path: the file to create or replace.

    Raises:
        WlpmaskError: the file cannot be written (missing directory, permissions, ...).
    """
    path = Path(path)
    if path.is_dir():
        raise WlpmaskError("is a directory; expected a file name", file=path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise WlpmaskError(f"cannot write: {exc.strerror or exc}", file=path) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp creates the file 0600; give it the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WlpmaskError(f"cannot write: {exc.strerror or exc}", file=path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 text to `path` atomically (temporary file, then rename).

    Args:
        path: the file to write.
        text: its content, written with LF line ends on every platform.

    Raises:
        WlpmaskError: the file cannot be written (it names the file).
    """
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def _finite(data: Any) -> Any:
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    return data


_LINE = 100  # a value whose compact form is at most this long is written on one line
_RECORDS = 50  # a longer list is a table: written one compact item per line


def _compact(data: Any) -> str:
    return json.dumps(data, separators=(", ", ": "), allow_nan=False)


def _layout(data: Any, flat: str, pad: str, indent: str, out: list[str]) -> None:
    """Append the text of `data` (whose compact form is `flat`) at the indent `pad`."""
    if len(flat) <= _LINE or not data or not isinstance(data, (dict, list)):
        out.append(flat)
        return
    inner = pad + indent
    if isinstance(data, list) and len(data) > _RECORDS:  # a table: one compact record a line
        out.append("[\n" + inner + (",\n" + inner).join(map(_compact, data))
                   + "\n" + pad + "]")
        return
    is_dict = isinstance(data, dict)
    out.append("{" if is_dict else "[")
    for i, (key, value) in enumerate(data.items() if is_dict else enumerate(data)):
        out.append(("," if i else "") + "\n" + inner + (json.dumps(key) + ": " if is_dict else ""))
        _layout(value, _compact(value), inner, indent, out)
    out.append("\n" + pad + ("}" if is_dict else "]"))


def json_text(data: Any, *, indent: int = 1) -> str:
    """Strict JSON text, ending in a newline; an infinite or NaN number becomes null.

    JSON has no infinity or NaN; such a number means nothing was measured. A value whose
    compact form fits on a line of about 100 characters is written on one line, a longer
    object or list one member per line, and a list of more than 50 items as a table, one
    compact item per line: readable, and encoded by the C encoder, which a fully indented dump of
    a 50,000-record manifest cannot use.

    Args:
        data: dicts, lists, tuples (written as lists), strings, numbers, booleans, None.
        indent: spaces per nesting level.
    """
    try:
        flat = _compact(data)
    except ValueError:  # a NaN or infinity somewhere: replace them, then encode
        data = _finite(data)
        flat = _compact(data)
    data = json.loads(flat)  # tuples and other sequences as the lists they are written as
    out: list[str] = []
    _layout(data, flat, "", " " * indent, out)
    return "".join(out) + "\n"


def name_list(names: list[str], limit: int = 20) -> str:
    """Names for a message: comma-separated, at most `limit` of them, "(none)" for none.

    Args:
        names: the names, in the order to show.
        limit: how many to show before "... (N more)".
    """
    if not names:
        return "(none)"
    more = f" ... ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
