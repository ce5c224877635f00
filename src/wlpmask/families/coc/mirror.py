"""Face to face: the upper chips' placed bumps against chip 1's first bumps, shape and net.

Both layers come from the flattened assembly (each chip's bumps carried through its GDS
reference). Equal polygons (the same vertices on the grid, in any order) cancel exactly; only
what is left is handed to shapely, so the XOR of 40,000 matching bumps costs one sort. The nets
are the texts at the bump centres, compared position by position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import gdstk
import numpy as np
import shapely

__all__ = ["NetMismatch", "Texts", "net_mismatches", "texts", "xor_area"]

Box = tuple[float, float, float, float]
# Report at most this many places of one failed check.
MAX_PLACES = 200


def _rows(polys: Sequence[np.ndarray], grid_um: float) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Polygons by vertex count: (indices, rows).

    A row per polygon holds its vertices on the grid as sorted 64-bit words (equal polygons,
    equal rows; the start and sense do not matter).
    """
    lens = np.fromiter(map(len, polys), dtype=np.int64, count=len(polys))
    flat = np.concatenate(polys) if len(polys) else np.zeros((0, 2))
    starts = np.cumsum(lens) - lens
    out = {}
    for n in np.unique(lens).tolist():
        idx = np.flatnonzero(lens == n)
        v = np.round(flat[starts[idx][:, None] + np.arange(n)] / grid_um).astype(np.int64)
        # x and y in one word each vertex: both fit 32 bits (a metre is 1e9 nm < 2^31).
        words = ((v[:, :, 0] + 2**31).astype(np.uint64) << np.uint64(32)) | \
            (v[:, :, 1] + 2**31).astype(np.uint64)
        out[n] = (idx, np.sort(words, axis=1))
    return out


def _distinct(rows: np.ndarray) -> np.ndarray:
    """The distinct rows, sorted."""
    if len(rows) == 0:
        return rows
    r = rows[np.lexsort(rows.T[::-1])]
    keep = np.ones(len(r), bool)
    keep[1:] = np.any(r[1:] != r[:-1], axis=1)
    return r[keep]


def _same(ka: dict, kb: dict) -> bool:
    """Whether two layers hold the same distinct polygons."""
    if set(ka) != set(kb):
        return False
    for n in ka:
        da, db = _distinct(ka[n][1]), _distinct(kb[n][1])
        if da.shape != db.shape or not np.array_equal(da, db):
            return False
    return True


def _loose(mine: dict, other: dict) -> tuple[list[int], list[int]]:
    """Indices of my polygons the other layer lacks, and of those it has too."""
    loose, shared = [], []
    for n, (idx, rows) in mine.items():
        if n in other:
            void = np.dtype((np.void, n * 8))
            hit = np.isin(np.ascontiguousarray(rows).view(void).ravel(),
                          np.ascontiguousarray(other[n][1]).view(void).ravel())
        else:
            hit = np.zeros(len(idx), bool)
        loose += idx[~hit].tolist()
        shared += idx[hit].tolist()
    return loose, shared


def xor_area(a: Sequence[np.ndarray], b: Sequence[np.ndarray], *,
             grid_um: float) -> tuple[float, list[Box]]:
    """The area (um2) of A XOR B and the boxes of its parts (at most MAX_PLACES).

    Only the distinct polygons count (a union does not see copies): those of A not in B and
    of B not in A are XORed, and what the polygons of both cover is taken away again.

    Args:
        a: polygons (um) of the first layer.
        b: polygons (um) of the second layer.
        grid_um: the grid the vertices lie on (um).
    """
    ka, kb = _rows(a, grid_um), _rows(b, grid_um)
    if _same(ka, kb):
        return 0.0, []
    loose_a, shared = _loose(ka, kb)
    loose_b, _ = _loose(kb, ka)
    diff = shapely.union_all([shapely.Polygon(a[i]) for i in loose_a]).symmetric_difference(
        shapely.union_all([shapely.Polygon(b[i]) for i in loose_b]))
    matched = [shapely.Polygon(a[i]) for i in shared]
    if matched and not diff.is_empty:
        near = shapely.STRtree(matched).query(diff, predicate="intersects")
        if len(near):
            diff = diff.difference(shapely.union_all([matched[i] for i in near]))
    parts = [g for g in getattr(diff, "geoms", [diff]) if not g.is_empty and g.area > 0]
    return float(diff.area), [tuple(float(v) for v in g.bounds) for g in parts[:MAX_PLACES]]


@dataclass(frozen=True, eq=False)
class Texts:
    """Texts of one layer: positions on the grid (n, 2) and their strings, sorted by place."""

    xy: np.ndarray
    strings: np.ndarray

    def as_dict(self) -> dict[tuple[int, int], str]:
        """Grid position -> string."""
        return {(int(x), int(y)): s for (x, y), s in zip(self.xy.tolist(), self.strings,
                                                         strict=True)}


def texts(cell: gdstk.Cell, gds: tuple[int, int], grid_um: float) -> Texts:
    """The texts on one layer under a cell, references applied, by position on the grid.

    Args:
        cell: the cell (e.g. the assembly).
        gds: (layer, texttype).
        grid_um: the grid.
    """
    labels = cell.get_labels(apply_repetitions=True, depth=None, layer=gds[0], texttype=gds[1])
    xy = np.round(np.array([lab.origin for lab in labels], dtype=float).reshape(-1, 2)
                  / grid_um).astype(np.int64)
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    return Texts(xy[order], np.array([lab.text for lab in labels], dtype=object)[order])


@dataclass(frozen=True)
class NetMismatch:
    """A place where the two chips disagree: its position (um) and each side's net."""

    x_um: float
    y_um: float
    lower: str | None
    upper: str | None


def net_mismatches(lower: Texts, upper: Texts, *, grid_um: float) -> list[NetMismatch]:
    """Positions where chip 1's net and the upper chip's differ or one has no bump.

    Args:
        lower: chip 1's first-bump nets.
        upper: the placed upper chips' nets.
        grid_um: the grid.
    """
    if lower.xy.shape == upper.xy.shape and np.array_equal(lower.xy, upper.xy):
        bad = np.flatnonzero(lower.strings != upper.strings)
        return [NetMismatch(float(lower.xy[i, 0]) * grid_um, float(lower.xy[i, 1]) * grid_um,
                            lower.strings[i], upper.strings[i]) for i in bad.tolist()]
    lo, up = lower.as_dict(), upper.as_dict()
    return [NetMismatch(p[0] * grid_um, p[1] * grid_um, lo.get(p), up.get(p))
            for p in sorted(set(lo) | set(up)) if lo.get(p) != up.get(p)]
