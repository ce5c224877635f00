"""The corner-radius rule kinds computed in klayout.db, the reference: opening and closing by a
disc as Minkowski sums (erosion removes each edge's sum with the disc), for the differential
tests and the examples' sign-off in KLayout."""

from __future__ import annotations

import math

import klayout.db as kdb

# The disc: a regular polygon inscribed in the circle, as many vertices as wlpmask's disc.
DISC_VERTICES = 64
TOL_RATIO, TOL_DBU = 0.005, 2.0  # the documented tolerance (README, "Design-rule check")


def disc(r: int) -> kdb.Polygon:
    """A disc of radius r (dbu) as an inscribed regular polygon."""
    return kdb.Polygon([kdb.Point(round(r * math.cos(2 * math.pi * k / DISC_VERTICES)),
                                  round(r * math.sin(2 * math.pi * k / DISC_VERTICES)))
                        for k in range(DISC_VERTICES)])


def _dilate(region: kdb.Region, r: int) -> kdb.Region:
    return region.minkowski_sum(disc(r)).merged()


def _erode(region: kdb.Region, r: int) -> kdb.Region:
    # the points closer than r to an edge go: the region minus each edge's sum with the disc
    dsk, near = disc(r), kdb.Region()
    for e in region.edges().each():
        near.insert(dsk.minkowski_sum(e, False))
    return region - near


def _key(p: kdb.Polygon) -> tuple:
    """A polygon's points relative to its box corner: equal for translates."""
    b = p.bbox()
    return tuple((q.x - b.left, q.y - b.bottom) for q in p.each_point_hull()) + tuple(
        (q.x - b.left, q.y - b.bottom) for h in range(p.holes()) for q in p.each_point_hole(h))


def _clusters(polys: list[kdb.Polygon], r: int) -> list[list[kdb.Polygon]]:
    """Polygons whose boxes come closer than 2r, together (a disc of r may not pass between
    them); a merged blob of the boxes grown by r is one cluster."""
    blobs = list(kdb.Region([p.bbox().enlarged(r, r) for p in polys]).merged().each())
    out: list[list[kdb.Polygon]] = [[] for _ in blobs]
    boxes = [b.bbox() for b in blobs]
    for p in polys:
        c = p.bbox().center()
        k = next(i for i, b in enumerate(boxes) if b.contains(c) and blobs[i].inside(c))
        out[k].append(p)
    return out


def unreached(region: kdb.Region, r: int, inner: bool) -> kdb.Region:
    """What a disc of radius r does not reach: the region minus its opening, or (inner) its
    closing minus the region."""
    if inner:
        return _erode(_dilate(region, r), r) - region
    return region - _dilate(_erode(region, r), r)


def _thick(region: kdb.Region, r: int) -> list[kdb.Polygon]:
    """The merged parts of a region thicker than the tolerance of a disc of radius r."""
    tol = round(TOL_RATIO * r + TOL_DBU)
    return list(region.merged().interacting(region.sized(-tol)).each())


def radius_violations(region: kdb.Region, r: int, inner: bool) -> list[kdb.Polygon]:
    """The violation markers of an outer_radius (inner_radius) rule of r dbu: the merged
    parts of the unreached region thicker than the tolerance. Each merged polygon (inner:
    each cluster of polygons closer than 2r) is taken alone, and translates of one are
    computed once."""
    polys = list(region.merged().each())
    groups = _clusters(polys, r) if inner else [[p] for p in polys]
    done: dict[tuple, tuple[list[kdb.Polygon], kdb.Point]] = {}
    out = []
    for g in groups:
        corner = min((p.bbox().p1 for p in g), key=lambda q: (q.x, q.y))
        key = tuple(sorted((_key(p), p.bbox().p1.x - corner.x, p.bbox().p1.y - corner.y)
                           for p in g))
        if key not in done:
            one = kdb.Region()
            for p in g:
                one.insert(p)
            done[key] = (_thick(unreached(one, r, inner), r), corner)
        pieces, at = done[key]
        out.extend(p.moved(corner - at) for p in pieces)
    return out
