"""Many polygons in two arrays: a light input for run_drc and the edge-pair checks.

A list of 360,000 small numpy arrays costs about four times the memory of their vertices;
PolygonSet keeps the vertices in one array and is still a sequence of (n_i, 2) arrays, so it
stands wherever the checks take a list of polygons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


class PolygonSet(Sequence):
    """Polygons stored as one vertex array and the start of each polygon in it.

    Args:
        xy: (N, 2) vertices of all polygons, one polygon after the other (um for run_drc,
            database units for the *_pairs functions).
        offsets: (P + 1,) start of each polygon's vertices in xy; offsets[-1] == N.
    """

    def __init__(self, xy: np.ndarray, offsets: np.ndarray):
        xy = np.asarray(xy)
        offsets = np.asarray(offsets, dtype=np.int64)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(f"xy: expected an (N, 2) array, got shape {xy.shape}")
        if offsets.ndim != 1 or len(offsets) == 0 or offsets[0] != 0 \
                or offsets[-1] != len(xy) or np.any(np.diff(offsets) < 0):
            raise ValueError("offsets: expected a rising array from 0 to len(xy)")
        self.xy = xy
        self.offsets = offsets

    @classmethod
    def from_polygons(cls, polys: Iterable[np.ndarray]) -> PolygonSet:
        """A PolygonSet of the given polygons (copied into one array).

        Args:
            polys: (n_i, 2) vertex arrays, in the unit the caller checks in.
        """
        polys = [np.asarray(p).reshape(-1, 2) for p in polys]
        lens = np.array([len(p) for p in polys], dtype=np.int64)
        xy = np.concatenate(polys) if polys else np.zeros((0, 2))
        return cls(xy, np.concatenate([[0], np.cumsum(lens)]))

    @property
    def lens(self) -> np.ndarray:
        """Vertex count of each polygon."""
        return np.diff(self.offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, k):
        if isinstance(k, slice):
            idx = range(*k.indices(len(self)))
            return [self[i] for i in idx]
        k = int(k)
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError("polygon index out of range")
        return self.xy[self.offsets[k]:self.offsets[k + 1]]
