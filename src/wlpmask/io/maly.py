"""A mask set as a MALY job deck, in the form KLayout's MALY reader opens.

One MASK per plate, named after its layer, whose single structure (SREF) is the plate's GDS
file: its top cell and data layer (datatype 0 is what the reader takes), placed at the origin
(BASE ORIGIN) without scaling or mirror (MASKMIRROR NONE: a plate's data is already in its
reading sense). Paths are relative to ROOT, itself relative to the MALY file. MASKSIZE is the
plate's side in inches. No TITLE is written: each plate carries its own label as data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MalyMask", "maly_text"]

_WORD = re.compile(r"^[A-Za-z0-9_.\-]+$")
INCH_UM = 25400.0


@dataclass(frozen=True)
class MalyMask:
    """One mask of the set.

    Args:
        name: the mask name (a word).
        file: the plate file, relative to the root.
        cell: its top cell.
        layer: the GDS layer number of its data (datatype 0).
        box_um: the structure's extent (left, bottom, right, top).
    """

    name: str
    file: str
    cell: str
    layer: int
    box_um: tuple[float, float, float, float]


def _word(text: str) -> str:
    if _WORD.match(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def maly_text(masks: Sequence[MalyMask], *, root: str, plate_um: float, title: str) -> str:
    """The MALY text of a mask set.

    Args:
        masks: the masks, in the order of the flow.
        root: the directory of the plate files, relative to the MALY file.
        plate_um: the plate's side.
        title: a comment line naming the set.
    """
    out = [f"// {title}", "BEGIN MALY 1.1", "  BEGIN MASKSET", "    BEGIN CMASK",
           "      BEGIN PARAMETER", f"        MASKSIZE {plate_um / INCH_UM:g}",
           "        FONT STANDARD", "        BASE ORIGIN", "        ARYBASE ORIGIN",
           f"        ROOT GDS2 {_word(root)}", "        MASKMIRROR NONE",
           "      END PARAMETER", "    END CMASK"]
    for m in masks:
        x0, y0, x1, y1 = m.box_um
        out += [f"    BEGIN MASK {_word(m.name)}", "      BEGIN STRGROUP PLATE",
                f"        SREF {_word(m.file)} {_word(m.cell)} {m.layer} ORG 0 0 "
                f"SIZE {x0:g} {y0:g} {x1:g} {y1:g} SCALE 1",
                "      END STRGROUP", "    END MASK"]
    out += ["  END MASKSET", "END MALY"]
    return "\n".join(out) + "\n"
