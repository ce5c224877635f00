"""KLayout session file (.lys): the layout with its layer properties and report database.

`klayout -u NAME.lys` opens all three, every hierarchy level shown. The session names its files
relative to its own folder (KLayout resolves them against the session's folder), so the folder can
be moved as a whole. KLayout keeps a session's layer properties inside the session, so the .lyp's
entries are copied in.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import gdstk

from ..errors import WlpmaskError
from . import write_text_atomic

WINDOW_PX = (1200, 800)  # the main window's size when the session opens
_MARGIN = 0.025  # of the layout's larger side, around it in the first view


def hierarchy_depth(cell: gdstk.Cell) -> int:
    """The levels of cells from `cell` down to its deepest leaf (1: it references nothing).

    These are the levels KLayout must show to draw everything ("full hierarchy").

    Args:
        cell: the top cell.
    """
    memo: dict[str, int] = {}

    def walk(c: gdstk.Cell) -> int:
        if c.name not in memo:  # each cell once, however often it is placed
            memo[c.name] = 1 + max((walk(r.cell) for r in c.references
                                    if isinstance(r.cell, gdstk.Cell)), default=0)
        return memo[c.name]

    return walk(cell)


def _relative(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive: only an absolute path reaches it
        return path.resolve().as_posix()


def _layer_properties(lyp: Path) -> ET.Element:
    try:
        root = ET.parse(lyp).getroot()
    except OSError as exc:
        raise WlpmaskError(f"cannot read: {exc.strerror or exc}", file=lyp) from None
    except ET.ParseError as exc:
        raise WlpmaskError(f"malformed XML: {exc}", file=lyp) from None
    if root.tag != "layer-properties":
        raise WlpmaskError(f"expected a KLayout layer-properties file, found <{root.tag}>",
                           file=lyp)
    return root


def _add(parent: ET.Element, tag: str, text: object = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el


def lys_text(path: str | Path, *, gds: str | Path, lyp: str | Path, lyrdb: str | Path,
             top: gdstk.Cell) -> str:
    """The .lys XML of a session file to be written at `path`.

    Args:
        path: where the session will be written (its folder anchors the relative names).
        gds: the layout file (must exist).
        lyp: the layer-properties file, copied into the session.
        lyrdb: the report database (must exist).
        top: the top cell written to `gds` (its name, extent in um and hierarchy depth).

    Raises:
        WlpmaskError: a file is missing or the .lyp is not a layer-properties file.
    """
    base = Path(path).parent
    gds, lyp, lyrdb = Path(gds), Path(lyp), Path(lyrdb)
    for f in (gds, lyrdb):
        if not f.is_file():
            raise WlpmaskError("not found; the session opens it", file=f)
    bbox = top.bounding_box()
    (x0, y0), (x1, y1) = bbox if bbox is not None else ((0.0, 0.0), (0.0, 0.0))
    pad = max(x1 - x0, y1 - y0, 1.0) * _MARGIN

    session = ET.Element("session")
    _add(session, "window-width", WINDOW_PX[0])
    _add(session, "window-height", WINDOW_PX[1])
    _add(session, "current-view", 0)
    layout = _add(session, "layout")
    _add(layout, "name", gds.name)
    _add(layout, "file-path", _relative(gds, base))
    view = _add(session, "view")
    _add(view, "active-cellview-index", 0)
    display = _add(view, "display")
    for tag, v in (("x-left", x0 - pad), ("x-right", x1 + pad), ("y-bottom", y0 - pad),
                   ("y-top", y1 + pad)):
        _add(display, tag, f"{v:.10g}")
    _add(display, "min-hier", 0)
    _add(display, "max-hier", hierarchy_depth(top))
    _add(_add(_add(display, "cellpaths"), "cellpath"), "cellname", top.name)
    _add(_add(_add(view, "cellviews"), "cellview"), "layout-ref", gds.name)
    _add(_add(view, "rdb-files"), "rdb-file", _relative(lyrdb, base))
    _add(view, "current-layer-property-tab", 0)
    _add(view, "layer-properties-tabs").append(_layer_properties(lyp))
    ET.indent(session, space=" ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(session, "unicode") + "\n"


def write_lys(path: str | Path, *, gds: str | Path, lyp: str | Path, lyrdb: str | Path,
              top: gdstk.Cell) -> None:
    """Write a KLayout session that opens a layout, its layer properties and report database.

    Every hierarchy level is shown and the whole layout is in view; written atomically.

    Args:
        path: the .lys file to create or replace.
        gds: the layout file (must exist; named relative to the session's folder).
        lyp: the layer-properties file, copied into the session.
        lyrdb: the report database (must exist; named relative to the session's folder).
        top: the top cell written to `gds` (its name, extent in um and hierarchy depth).

    Raises:
        WlpmaskError: a file is missing or the .lyp is not a layer-properties file.
    """
    write_text_atomic(path, lys_text(path, gds=gds, lyp=lyp, lyrdb=lyrdb, top=top))
