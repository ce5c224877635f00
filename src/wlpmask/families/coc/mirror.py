"""Face to face: the upper chips' placed bumps against chip 1's first bumps, shape and net.

Both layers come from the flattened assembly (each chip's bumps carried through its GDS
reference). Equal polygons (the same vertices on the grid, in any order) cancel exactly; only
what is left is handed to shapely, so the XOR of 40,000 matching bumps costs one hash each.
The nets are the texts at the bump centres, compared position by position.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import gdstk
import numpy as np
import shapely

__all__ = ["NetMismatch", "net_mismatches", "texts", "xor_area"]

Box = tuple[float, float, float, float]
# Report at most this many places of one failed check.
MAX_PLACES = 200


def _keys(polys: Sequence[np.ndarray], grid_um: float) -> list[bytes]:
    """A key per polygon: its vertices on the grid, sorted (equal polygons, equal keys)."""
    out: list[bytes] = [b""] * len(polys)
    by_count: dict[int, list[int]] = {}
    for i, p in enumerate(polys):
        by_count.setdefault(len(p), []).append(i)
    for idx in by_count.values():
        v = np.round(np.stack([np.asarray(polys[i]) for i in idx]) / grid_um).astype(np.int64)
        order = np.lexsort((v[:, :, 1], v[:, :, 0]), axis=-1)
        rows = np.take_along_axis(v, order[:, :, None], axis=1).reshape(len(idx), -1)
        for i, row in zip(idx, rows, strict=True):
            out[i] = row.tobytes()
    return out


def xor_area(a: Sequence[np.ndarray], b: Sequence[np.ndarray], *,
             grid_um: float) -> tuple[float, list[Box]]:
    """The area (um2) of A XOR B and the boxes of its parts (at most MAX_PLACES).

    Only the distinct polygons count (a union does not see copies): those of A not in B and
    of B not in A are XORed, and what the polygons of both cover is taken away again.

    Args:
        a, b: polygons (um) of the two layers.
        grid_um: the grid the vertices lie on.
    """
    ka, kb = _keys(a, grid_um), _keys(b, grid_um)
    sa, sb = set(ka), set(kb)
    if sa == sb:
        return 0.0, []
    loose_a = shapely.union_all([shapely.Polygon(p) for p, k in zip(a, ka, strict=True)
                                 if k not in sb])
    loose_b = shapely.union_all([shapely.Polygon(p) for p, k in zip(b, kb, strict=True)
                                 if k not in sa])
    diff = loose_a.symmetric_difference(loose_b)
    matched = [shapely.Polygon(p) for p, k in zip(a, ka, strict=True) if k in sb]
    if matched and not diff.is_empty:
        near = shapely.STRtree(matched).query(diff, predicate="intersects")
        if len(near):
            diff = diff.difference(shapely.union_all([matched[i] for i in near]))
    parts = [g for g in getattr(diff, "geoms", [diff]) if not g.is_empty and g.area > 0]
    return float(diff.area), [tuple(float(v) for v in g.bounds) for g in parts[:MAX_PLACES]]


def texts(cell: gdstk.Cell, gds: tuple[int, int], grid_um: float) -> dict[tuple[int, int], str]:
    """The texts on one layer under a cell, by position on the grid (references applied).

    Args:
        cell: the cell (e.g. the assembly).
        gds: (layer, texttype).
        grid_um: the grid.
    """
    out = {}
    for lab in cell.get_labels(apply_repetitions=True, depth=None, layer=gds[0],
                               texttype=gds[1]):
        x, y = lab.origin
        out[(round(x / grid_um), round(y / grid_um))] = lab.text
    return out


@dataclass(frozen=True)
class NetMismatch:
    """A place where the two chips disagree: its position (um) and each side's net."""

    x_um: float
    y_um: float
    lower: str | None
    upper: str | None


def net_mismatches(lower: dict[tuple[int, int], str], upper: dict[tuple[int, int], str], *,
                   grid_um: float) -> list[NetMismatch]:
    """Positions where chip 1's net and the upper chip's differ or one has no bump.

    Args:
        lower: chip 1's first-bump nets by grid position.
        upper: the placed upper chips' nets by grid position.
        grid_um: the grid.
    """
    places: Iterable = sorted(set(lower) | set(upper))
    return [NetMismatch(p[0] * grid_um, p[1] * grid_um, lower.get(p), upper.get(p))
            for p in places if lower.get(p) != upper.get(p)]
