"""Geometry into KLayout's database: the bridge from wlpmask's shapes to klayout.db.

Tests, acceptance checks and benchmarks use it to hand shapes to the reference DRC and GDS
reader.

klayout is a development dependency (the `dev` extra); it is imported when a function here is
called, never by the library itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = ["rule_count", "to_region"]


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


def rule_count(rule: Any, regions: Sequence[Any], *, dbu_um: float) -> int:
    """Violations of one technology rule as klayout.db's own checks count them.

    The reference DRC of tests and benchmarks: width, space, separation and enclosure by
    KLayout's edge checks (with the rule's metric), enclosure and inside also counting what
    lies outside the outer layer (shrunk by the limit for inside), min_area by area. The
    corner-radius kinds count sharp corners (turning by more than 20 degrees at one vertex):
    klayout.db has no radius check, and each sharp corner is one violation of ours.

    Args:
        rule: a wlpmask.tech.Rule.
        regions: klayout.db Regions of the rule's layers, in the rule's order.
        dbu_um: the layout's database unit.

    Raises:
        ValueError: a rule kind without a klayout.db counterpart here (the morphological
            radius kinds).
    """
    import klayout.db as kdb

    d = int(round(rule.limit / dbu_um))
    a = regions[0]
    metric = (kdb.Metrics.Projection if rule.params.get("metric") == "projection"
              else kdb.Metrics.Euclidian)
    if rule.kind == "width":
        return a.width_check(d, False, metric).count()
    if rule.kind == "space":
        return a.space_check(d, False, metric).count()
    if rule.kind == "separation":
        return a.separation_check(regions[1], d, False, metric).count()
    if rule.kind == "enclosure":
        return (a.enclosing_check(regions[1], d, False, metric).count()
                + (regions[1] - a).merged().count())
    if rule.kind == "inside":
        return (regions[1] - (a.sized(-d) if d else a)).merged().count()
    if rule.kind == "min_area":
        return a.with_area(0, int(rule.limit / dbu_um ** 2), False).count()
    if rule.kind == "convex_corner_radius":
        return a.corners(-180, -20).count()
    if rule.kind == "concave_corner_radius":
        return a.corners(20, 180).count()
    raise ValueError(f"no klayout.db check for rule kind {rule.kind}")
