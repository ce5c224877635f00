"""Shapely results as GDS polygons: hole-free pieces that cover exactly the geometry."""

from __future__ import annotations

import numpy as np
import shapely

from wlpmask.polys import KEYHOLE_MAX_HOLES, _bisect, hole_free_rings


def _field_with_holes(nx: int, ny: int) -> shapely.Geometry:
    holes = [shapely.Point(x, y).buffer(0.7, quad_segs=2)
             for x in np.arange(5, 5 + 2.5 * nx, 2.5) for y in np.arange(5, 5 + 2.5 * ny, 2.5)]
    return shapely.box(0, 0, 10 + 2.5 * nx, 10 + 2.5 * ny).difference(shapely.union_all(holes))


def test_many_holes_are_bisected_into_pieces_with_few():
    """A dark-field field less 1,200 openings: pieces of at most KEYHOLE_MAX_HOLES holes that
    tile the geometry exactly (a cut at a hole's lowest x opens it to the cut)."""
    g = _field_with_holes(60, 20)
    assert len(g.interiors) == 1200
    parts = _bisect(g)
    assert len(parts) > 1 and all(len(p.interiors) <= KEYHOLE_MAX_HOLES for p in parts)
    assert abs(sum(p.area for p in parts) - g.area) < 1e-6
    assert shapely.union_all(parts).symmetric_difference(g).area < 1e-6


def test_hole_free_rings_cover_the_geometry():
    g = _field_with_holes(30, 10)
    rings = hole_free_rings(g)
    polys = [shapely.Polygon(r) for r in rings]
    assert all(p.is_valid or p.buffer(0).area > 0 for p in polys)
    # pieces from gdstk's keyholes are exact up to gdstk's 1e-3 um precision per edge
    assert shapely.union_all(polys).symmetric_difference(g).area < 1e-3 * g.length
    few = shapely.box(0, 0, 20, 20).difference(shapely.box(5, 5, 8, 8))
    assert len(hole_free_rings(few)) >= 1  # one hole: gdstk's keyhole, as before
