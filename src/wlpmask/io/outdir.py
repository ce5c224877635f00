"""An output directory written as a whole: staged beside its place, swapped in at the end.

A build writes every file into a hidden staging directory next to the output directory and
renames it into place only when all files are complete; the previous output directory is then
removed as a whole, so no stale file of an earlier build survives. An error or an interrupt
removes the staging directory and leaves the old output as it was. A directory that holds
something other than an earlier build's output is never replaced.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import WlpmaskError
from . import current_umask

__all__ = ["MANIFEST", "check_output_dir", "staged_dir"]

MANIFEST = "manifest.json"


def _is_build_output(path: Path) -> bool:
    """True for an empty directory or one whose manifest says a build wrote it."""
    try:
        names = os.listdir(path)
    except OSError:
        return False
    if not names:
        return True
    try:
        data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == "wlpmask"


def check_output_dir(out: Path) -> None:
    """Fail early when `out` cannot become the output directory.

    Args:
        out: the output directory (it may not exist yet).

    Raises:
        WlpmaskError: `out` is a file, holds other files, or its parent cannot be created or
            written.
    """
    if out.exists() and not out.is_dir():
        raise WlpmaskError("output path exists and is not a directory", file=out)
    if out.is_dir() and not _is_build_output(out):
        raise WlpmaskError("output directory holds files that no build wrote (no wlpmask "
                           f"{MANIFEST}); choose an empty or new directory", file=out)
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WlpmaskError(f"cannot create the output directory: {exc.strerror or exc}",
                           file=out) from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise WlpmaskError(f"cannot write into {str(parent)!r}", file=out)


@contextmanager
def staged_dir(out: Path) -> Iterator[Path]:
    """Yield a staging directory that replaces `out` when the block succeeds.

    Args:
        out: the output directory.

    Raises:
        WlpmaskError: the staging directory cannot be created or swapped in.
    """
    check_output_dir(out)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    except OSError as exc:
        raise WlpmaskError(f"cannot create the output directory: {exc.strerror or exc}",
                           file=out) from None
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~current_umask())
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
        try:
            os.replace(tmp, out)
        except OSError:
            if old is not None:
                os.replace(old / out.name, out)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise WlpmaskError(f"cannot write the output directory: {exc.strerror or exc}",
                           file=out) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
