"""Geometry into KLayout's database: the bridge from wlpmask's shapes to klayout.db.

Tests, acceptance checks and benchmarks use it to hand shapes to the reference DRC and GDS
reader.

klayout is a development dependency (the `dev` extra); it is imported when a function here is
called, never by the library itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["to_region"]


def _points(kdb: Any, coords: np.ndarray, dbu_um: float) -> list:
    pts = np.rint(np.asarray(coords, dtype=float) / dbu_um).astype(np.int64)
    return [kdb.Point(int(x), int(y)) for x, y in pts]


def _polygons(shape: Any) -> Iterable[Any]:
    """The polygons of a shapely geometry (parts of multi-geometries), or an (N, 2) array."""
    if isinstance(shape, np.ndarray) or isinstance(shape, (list, tuple)):
        yield np.asarray(shape, dtype=float)
        return
    if shape.is_empty:
        return
    if shape.geom_type == "Polygon":
        yield shape
        return
    for part in getattr(shape, "geoms", []):
        yield from _polygons(part)


def to_region(shapes: Iterable[Any], *, dbu_um: float = 1.0) -> Any:
    """A klayout.db Region of shapely polygons (holes kept) or (N, 2) vertex arrays.

    Args:
        shapes: shapely geometries (Polygon, MultiPolygon, collections) and/or vertex arrays,
            in um (or in database units with dbu_um = 1).
        dbu_um: the database unit: coordinates are divided by it and rounded.

    Returns:
        The region, not merged (merge it where the check needs merged input).
    """
    import klayout.db as kdb

    reg = kdb.Region()
    for shape in shapes:
        for p in _polygons(shape):
            if isinstance(p, np.ndarray):
                reg.insert(kdb.Polygon(_points(kdb, p, dbu_um)))
                continue
            kp = kdb.Polygon(_points(kdb, np.asarray(p.exterior.coords)[:-1], dbu_um))
            for hole in p.interiors:
                kp.insert_hole(_points(kdb, np.asarray(hole.coords)[:-1], dbu_um))
            reg.insert(kp)
    return reg
