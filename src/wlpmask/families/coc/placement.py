"""Where the chips go: GDS placements in the assembly, and the face-to-face bump fields.

The assembly frame is the lead frame seen from above, its site's lower-left corner at the
origin. Chip 1 lies face down over the package's middle: its reference mirrors it about its
flip axis (`x`: y -> -y; `y`: x -> -x, a GDS reflection plus a 180 degree rotation). The upper
chips lie face up on their heat sinks: a translation only. One netlist gives each upper chip's
field on chip 1's face; the upper chip's own bump map is that field carried through chip 1's
placement and back through the upper chip's, i.e. mirrored about the flip axis in its frame.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import gdstk
import numpy as np

from ... import geometry as geo
from ...errors import WlpmaskError
from .design import Chip, CocDesign

__all__ = ["BumpSet", "Field", "Placement", "chip1_placement", "fields", "upper_placement"]

# (cos, sin) of the rotations a placement may have: exact, so no float noise.
_ROT = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}


@dataclass(frozen=True)
class Placement:
    """A GDS reference transform: reflect about x (y -> -y) if mirror_x, rotate, translate.

    Args:
        origin_um: the translation (x, y).
        rotation_deg: 0, 90, 180 or 270 (counter-clockwise).
        mirror_x: reflect about the x axis first.
    """

    origin_um: tuple[float, float]
    rotation_deg: int = 0
    mirror_x: bool = False

    def apply(self, pts: np.ndarray | Sequence) -> np.ndarray:
        """Points of the placed cell's frame in the parent's frame.

        Args:
            pts: (N, 2) points in um.
        """
        p = np.asarray(pts, dtype=float).reshape(-1, 2)
        c, s = _ROT[self.rotation_deg]
        y = -p[:, 1] if self.mirror_x else p[:, 1]
        return np.column_stack([c * p[:, 0] - s * y, s * p[:, 0] + c * y]) + self.origin_um

    def invert(self, pts: np.ndarray | Sequence) -> np.ndarray:
        """Points of the parent's frame in the placed cell's frame.

        Args:
            pts: (N, 2) points in um.
        """
        q = np.asarray(pts, dtype=float).reshape(-1, 2) - self.origin_um
        c, s = _ROT[self.rotation_deg]
        x, y = c * q[:, 0] + s * q[:, 1], -s * q[:, 0] + c * q[:, 1]
        return np.column_stack([x, -y if self.mirror_x else y])

    def reference(self, cell: gdstk.Cell) -> gdstk.Reference:
        """The GDS reference placing cell this way.

        Args:
            cell: the cell to place.
        """
        return gdstk.Reference(cell, self.origin_um, rotation=math.radians(self.rotation_deg),
                               x_reflection=self.mirror_x)

    def to_json(self) -> dict:
        """The manifest record: origin_um, rotation_deg, mirror_x."""
        return {"origin_um": list(self.origin_um), "rotation_deg": self.rotation_deg,
                "mirror_x": self.mirror_x}


def package_centre(part: CocDesign) -> tuple[float, float]:
    """The package's (and chip 1's) centre in the assembly frame (the frame site's middle).

    Args:
        part: the design part; the centre is snapped to its technology grid (um).
    """
    g = part.tech.grid_um
    return (geo.snap_value(part.frame.width_um / 2, g), geo.snap_value(part.frame.height_um / 2,
                                                                      g))


def chip1_placement(part: CocDesign) -> Placement:
    """Chip 1 face down over the package's middle, mirrored about its flip axis.

    Args:
        part: the design part.
    """
    g = part.tech.grid_um
    cx, cy = package_centre(part)
    w, h = part.chip1.width_um, part.chip1.height_um
    if part.flip_axis == "x":
        return Placement((geo.snap_value(cx - w / 2, g), geo.snap_value(cy + h / 2, g)), 0, True)
    return Placement((geo.snap_value(cx + w / 2, g), geo.snap_value(cy - h / 2, g)), 180, True)


def upper_placement(chip: Chip, p1: Placement) -> Placement:
    """An upper chip face up, where its footprint on chip 1's face lands in the assembly.

    Args:
        chip: the upper chip.
        p1: chip 1's placement.
    """
    x, y = chip.place_um
    corners = p1.apply([(x, y), (x + chip.width_um, y + chip.height_um)])
    lo = corners.min(axis=0)
    return Placement((float(lo[0]), float(lo[1])))


@dataclass(frozen=True, eq=False)
class BumpSet:
    """Bumps of one layer of one chip: names, nets and centres (um) in the chip's frame."""

    names: tuple[str, ...]
    nets: tuple[str, ...]
    xy: np.ndarray

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True, eq=False)
class Field:
    """The first bumps between chip 1 and one upper chip.

    Args:
        chip: the upper chip's name.
        columns, rows: the grid of sites.
        on_chip1: the bumps in chip 1's frame.
        on_upper: the same bumps in the upper chip's frame (the mirror image).
    """

    chip: str
    columns: int
    rows: int
    on_chip1: BumpSet
    on_upper: BumpSet


def _grid(chip: Chip, n: int, pitch: float, edge: float, key: str) -> tuple[int, int]:
    fit = [int(math.floor((side - 2 * edge) / pitch + 1e-9)) + 1
           for side in (chip.width_um, chip.height_um)]
    if min(fit) < 1:
        raise WlpmaskError(f"chip {chip.name} has no room for a bump {edge:g} um from its "
                           "edges", key=key)
    cols = chip.columns or min(fit[0], max(1, math.ceil(math.sqrt(n))))
    if cols > fit[0]:
        raise WlpmaskError(f"{cols} columns at a {pitch:g} um pitch do not fit under chip "
                           f"{chip.name} (at most {fit[0]})", key=f"upper.{chip.name}.columns")
    rows = math.ceil(n / cols)
    if rows > fit[1] and chip.columns is None:
        cols = fit[0]
        rows = math.ceil(n / cols)
    if rows > fit[1]:
        raise WlpmaskError(f"{n} first-bump sites at a {pitch:g} um pitch need {cols} x {rows}; "
                           f"chip {chip.name} holds {fit[0]} x {fit[1]}", key=key)
    return cols, rows


def fields(part: CocDesign, p1: Placement, uppers: dict[str, Placement]) -> list[Field]:
    """Each upper chip's first-bump field on chip 1 and its mirror image on the upper chip.

    Args:
        part: the design part.
        p1: chip 1's placement.
        uppers: upper chip name -> its placement.
    """
    g, pitch = part.tech.grid_um, part.pitch_um
    out, count = [], 0
    for chip in part.uppers:
        nets = part.netlist.first[chip.name]
        key = f"netlist.first.{chip.name}"
        cols, rows = _grid(chip, len(nets), pitch, part.kind.edge_min_um, key)
        x0 = chip.place_um[0] + (chip.width_um - (cols - 1) * pitch) / 2
        y0 = chip.place_um[1] + (chip.height_um - (rows - 1) * pitch) / 2
        idx = np.array([i for i, n in enumerate(nets) if n], dtype=np.int64)
        xy1 = geo.snap(np.column_stack([geo.snap_value(x0, g) + (idx % cols) * pitch,
                                        geo.snap_value(y0, g) + (idx // cols) * pitch]), g)
        names = tuple(f"F{count + k + 1}" for k in range(len(idx)))
        count += len(idx)
        used = tuple(nets[i] for i in idx)
        xyu = geo.snap(uppers[chip.name].invert(p1.apply(xy1)), g)
        out.append(Field(chip.name, cols, rows, BumpSet(names, used, xy1),
                         BumpSet(names, used, xyu)))
    return out
