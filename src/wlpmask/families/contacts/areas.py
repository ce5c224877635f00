"""The contact areas of a design: an [array] of the family's own, or any shared pad source.

Contact areas are rectangles in the substrate frame (um, the die boundary's lower-left corner
at the origin); they are the family's `Pad` records. An array is named PREFIX + row + "_" +
column (row 0 at the bottom, column 0 at the left), zero-padded to equal length.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...designfile import DesignDoc, Die
from ...designfile.pads import PadSource, check_pads, read_pads
from ...io.pads import Pad
from ...validate import Reader

__all__ = ["ARRAY_KEYS", "Areas", "read_areas"]

ARRAY_KEYS = frozenset({"rows", "columns", "pitch_um", "pitch_x_um", "pitch_y_um", "w_um",
                        "h_um", "centre_um", "prefix"})
# A probe card of a few hundred thousand contacts is the largest array worth drawing.
MAX_CONTACTS = 1_000_000


@dataclass(frozen=True)
class Areas:
    """The contact areas and where each came from.

    Args:
        pads: the contact areas.
        source: "array", "inline", "csv", "gds" or "def".
        origins: name -> (file, key) for messages about one contact.
        pitch_um: (x, y) pitch of an array (None: not an array).
    """

    pads: tuple[Pad, ...]
    source: str
    origins: dict[str, tuple[str, str]]
    pitch_um: tuple[float, float] | None = None


def _array(r: Reader, t: dict, die: Die) -> Areas:
    key = "array"
    r.keys(key, t, set(ARRAY_KEYS))
    rows = r.integer(t, key, "rows", minimum=1, maximum=MAX_CONTACTS)
    cols = r.integer(t, key, "columns", minimum=1, maximum=MAX_CONTACTS)
    if rows * cols > MAX_CONTACTS:
        raise r.err(key, f"{rows} x {cols} contacts is more than {MAX_CONTACTS:,}")
    pitch = r.num(t, key, "pitch_um", default=None, strict=True)
    px = r.num(t, key, "pitch_x_um", default=pitch, strict=True)
    py = r.num(t, key, "pitch_y_um", default=pitch, strict=True)
    if px is None or py is None:
        raise r.err(f"{key}.pitch_um", "missing value (or give pitch_x_um and pitch_y_um)")
    w = r.num(t, key, "w_um", strict=True, maximum=die.width_um)
    h = r.num(t, key, "h_um", strict=True, maximum=die.height_um)
    if w >= px or h >= py:
        raise r.err(key, f"contact areas of {w:g} x {h:g} um do not fit a {px:g} x {py:g} um "
                    "pitch")
    cx, cy = r.xy(t, key, "centre_um", default=(die.width_um / 2, die.height_um / 2))
    prefix = r.string(t, key, "prefix", default="C")
    nd = len(str(max(rows, cols) - 1))
    x0, y0 = cx - (cols - 1) * px / 2, cy - (rows - 1) * py / 2
    pads = tuple(Pad(f"{prefix}{i:0{nd}d}_{j:0{nd}d}", x0 + j * px, y0 + i * py, w, h)
                 for i in range(rows) for j in range(cols))
    return Areas(pads, "array", {p.name: (r.file, key) for p in pads}, (px, py))


def read_areas(doc: DesignDoc, die: Die) -> Areas:
    """The contact areas of [array] or [pads] (exactly one of them), checked.

    Checked: unique names, inside the seal ring, not overlapping.

    Args:
        doc: the design file.
        die: the substrate frame.
    """
    r = doc.reader
    has_array, has_pads = "array" in doc.data, "pads" in doc.data
    if has_array == has_pads:
        raise r.err("array", "give the contact areas as either [array] or [pads]")
    if has_array:
        areas = _array(r, doc.table("array"), die)
        src = PadSource(list(areas.pads), "array", origins=areas.origins)
    else:
        src = read_pads(r, doc.table("pads"), tech=doc.tech, die=die)
        for f in src.files:
            doc.add_input(f)
        doc.generated.update(src.generated)
        areas = Areas(tuple(src.pads), src.source, src.origins)
    check_pads(src, die=die, pad_encloses_pi1_um=0.0)
    return areas
