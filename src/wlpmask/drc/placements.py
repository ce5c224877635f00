"""A layout as placed cells: each distinct cell once (flattened), with every place it sits.

The hierarchical check works on the children of the top cell: each distinct child (a cell
under one orientation) is flattened once, and its instances are the translations of its
references (array repetitions expanded into offsets, integer database units). The top cell's
own shapes form one more placement at the origin. Also here: violations as integer arrays, and
moving them to other places.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import gdstk
import numpy as np

from ..io.gds import flatten_layers
from ..tech import Technology
from .result import Violation, ViolationBlock, Violations

__all__ = ["Placement", "Rows", "placements"]


@dataclass
class Placement:
    """One distinct cell of the layout and the places it sits.

    Args:
        name: the cell name (with its orientation when that is not the identity).
        shapes: technology layer name -> raw polygons (um) in the cell's frame.
        offsets: (n, 2) int64 translations (database units) of its instances.
    """

    name: str
    shapes: dict[str, list[np.ndarray]]
    offsets: np.ndarray


def _key(ref: gdstk.Reference) -> tuple:
    return (ref.cell.name, round(ref.rotation, 12), ref.magnification, ref.x_reflection)


def placements(top: gdstk.Cell, tech: Technology) -> list[Placement]:
    """The top cell's own shapes and each distinct child with its instance offsets.

    Args:
        top: the top cell.
        tech: the technology (layers, database unit).
    """
    dbu = tech.grid_um
    own = gdstk.Cell(f"{top.name}$own")
    own.add(*top.polygons, *top.paths)
    out = [Placement(own.name, flatten_layers(own, tech, dbu_um=dbu), np.zeros((1, 2), np.int64))]
    by_key: dict[tuple, list] = {}
    for ref in top.references:
        if isinstance(ref.cell, str) or not isinstance(ref.cell, gdstk.Cell):
            continue
        origin = np.asarray(ref.origin, dtype=float)
        offs = origin[None, :] if ref.repetition is None or ref.repetition.size == 0 \
            else origin + np.asarray(ref.repetition.get_offsets(), dtype=float)
        by_key.setdefault(_key(ref), [ref, []])[1].append(offs)
    for key in sorted(by_key, key=repr):
        ref, offs = by_key[key]
        cell = ref.cell
        if key[1:] != (0.0, 1.0, False):
            cell = gdstk.Cell(f"{key[0]}$r{key[1]:g}m{key[2]:g}x{int(key[3])}")
            cell.add(gdstk.Reference(ref.cell, (0, 0), rotation=ref.rotation,
                                     magnification=ref.magnification,
                                     x_reflection=ref.x_reflection))
        ints = np.round(np.concatenate(offs) / dbu).astype(np.int64)
        out.append(Placement(cell.name, flatten_layers(cell, tech, dbu_um=dbu), ints))
    return out


@dataclass
class Rows:
    """The violations of one rule as integer arrays (database units), ready to move.

    Args:
        block: the edge-pair rows as a template (rule, kind, layers, limit), or None.
        measured: (n,) smallest distances (um).
        first, second, bbox: (n, 4) int64.
        records: the marker violations with their boxes as (m, 4) int64 in mbox.
    """

    block: ViolationBlock | None
    measured: np.ndarray
    first: np.ndarray
    second: np.ndarray
    bbox: np.ndarray
    records: list[Violation]
    mbox: np.ndarray

    @classmethod
    def of(cls, found: Sequence[Violation], dbu: float) -> Rows:
        """The rows of a check's result.

        Args:
            found: a Violations sequence or a list of records (um).
            dbu: the database unit (um).
        """
        blocks, records = [], []
        parts = found.parts() if isinstance(found, Violations) else [list(found)]
        for part in parts:
            (blocks if isinstance(part, ViolationBlock) else records).append(part)
        recs = [v for part in records for v in part]

        def ints(a: np.ndarray) -> np.ndarray:
            return np.round(np.asarray(a, dtype=float).reshape(-1, 4) / dbu).astype(np.int64)

        if blocks:
            cat = [np.concatenate([getattr(b, f) for b in blocks]) for f in
                   ("measured", "first", "second", "bbox")]
            return cls(blocks[0], cat[0], ints(cat[1]), ints(cat[2]), ints(cat[3]), recs,
                       ints(np.array([v.bbox for v in recs])))
        z = np.zeros((0, 4), np.int64)
        return cls(None, np.zeros(0), z, z, z, recs, ints(np.array([v.bbox for v in recs])))

    def __len__(self) -> int:
        return len(self.measured) + len(self.records)

    def boxes(self) -> np.ndarray:
        """Box of every row: edge pairs first, then markers."""
        return np.concatenate([self.bbox, self.mbox])

    def take(self, keep: np.ndarray, offsets: np.ndarray, dbu: float) -> tuple[list, list]:
        """The rows where keep is set, moved to every offset.

        Args:
            keep: a mask over boxes() (edge pairs, then markers).
            offsets: (n, 2) int64 translations (database units).
            dbu: the database unit (um).

        Returns (edge-pair arrays [measured, first, second, bbox] in um, marker records).
        """
        n = len(self.measured)
        kp, km = np.flatnonzero(keep[:n]), np.flatnonzero(keep[n:])
        off4 = np.tile(np.asarray(offsets, np.int64), 2)
        arrays = []
        if len(kp):
            rep = len(offsets)

            def move(a: np.ndarray) -> np.ndarray:
                return np.round((a[kp][None, :, :] + off4[:, None, :]).reshape(-1, 4) * dbu, 9)

            arrays = [np.tile(self.measured[kp], rep), move(self.first), move(self.second),
                      move(self.bbox)]
        recs = []
        for k in km:
            v = self.records[k]
            for o in off4:
                recs.append(Violation(v.rule, v.kind, v.layers, v.required_um, v.measured_um,
                                      _moved_pair(v.edge_pair, o, dbu),
                                      tuple(np.round((self.mbox[k] + o) * dbu, 9).tolist())))
        return arrays, recs


def _moved_pair(pair, off4: np.ndarray, dbu: float):
    """An edge pair (um) moved by an offset (database units), or None."""
    if pair is None:
        return None
    return tuple(tuple(np.round((np.round(np.asarray(e) / dbu) + off4) * dbu, 9).tolist())
                 for e in pair)
