"""Shapely results as mask polygons: their polygon parts, and hole-free outlines for GDS.

GDS has no holes. A polygon with a few holes is cut into hole-free pieces by gdstk (a keyhole
per hole, the way it is written); one with many holes (a dark-field plate's field less
thousands of openings) would become a single outline of all of them, which gdstk then
fractures in time that grows with the square of its size. Such a polygon is first bisected at
the holes' own extremes until each piece has few holes: a cut at a hole's lowest x leaves that
hole open to the cut, so every hole ends up in a piece where it is open or alone.

Read back, such an outline touches itself along its cuts: shapely calls it invalid, and
`filled` gives the area it encloses.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KEYHOLE_MAX_HOLES", "filled", "hole_free_rings", "polygon_parts", "rings"]

# Up to this many holes a piece is handed to gdstk whole; above, it is bisected first.
KEYHOLE_MAX_HOLES = 8


def polygon_parts(geom) -> list:
    """The polygons of a shapely geometry (a Polygon, MultiPolygon or collection).

    Args:
        geom: the geometry; None or an empty one gives no polygons.
    """
    if geom is None or geom.is_empty:
        return []
    return [p for p in getattr(geom, "geoms", [geom]) if p.geom_type == "Polygon"]


def rings(geom) -> list[np.ndarray]:
    """Every ring (outlines and holes) of a geometry's polygons, without the closing point.

    Args:
        geom: a shapely polygon, multipolygon or collection; None or empty gives none.
    """
    return [np.asarray(r.coords)[:-1] for p in polygon_parts(geom)
            for r in (p.exterior, *p.interiors)]


def filled(geoms: np.ndarray) -> np.ndarray:
    """Valid geometries of what GDS outlines enclose, as the reference merge reads them.

    Every area a ring encloses is filled: a keyhole's cut lines close, a ring crossing itself
    keeps both lobes and a ring wound twice covers its inside once (non-zero winding, as
    KLayout merges). shapely's default repair ("linework") would alternate inside and outside
    at every crossing instead, and takes ten times longer on a long keyhole outline.

    Args:
        geoms: an array of shapely polygons.
    """
    import shapely

    return shapely.make_valid(geoms, method="structure", keep_collapsed=False)


def _bisect(part) -> list:
    """Pieces of a polygon, each with at most KEYHOLE_MAX_HOLES holes."""
    import shapely

    if len(part.interiors) <= KEYHOLE_MAX_HOLES:
        return [part]
    x0, y0, x1, y1 = part.bounds
    axis = 0 if x1 - x0 >= y1 - y0 else 1
    lows = np.sort([np.asarray(h.coords)[:, axis].min() for h in part.interiors])
    cut = float(lows[len(lows) // 2])  # a hole's own extreme, strictly inside the part
    if axis == 0:
        sides = (shapely.box(x0, y0, cut, y1), shapely.box(cut, y0, x1, y1))
    else:
        sides = (shapely.box(x0, y0, x1, cut), shapely.box(x0, cut, x1, y1))
    out = []
    for side in sides:
        for piece in polygon_parts(part.intersection(side)):
            out.extend(_bisect(piece))
    return out


def hole_free_rings(geom) -> list[np.ndarray]:
    """The outlines of a shapely geometry as hole-free polygons, (N, 2) um each.

    Args:
        geom: the shapely geometry (um); only its polygons count.
    """
    import gdstk

    out = []
    for whole in polygon_parts(geom):
        for part in _bisect(whole):
            ext = np.array(part.exterior.coords[:-1])
            if not part.interiors:
                out.append(ext)
                continue
            holes = [gdstk.Polygon(np.array(h.coords[:-1])) for h in part.interiors]
            out.extend(piece.points
                       for piece in gdstk.boolean(gdstk.Polygon(ext), holes, "not"))
    return out
