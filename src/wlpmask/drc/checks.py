"""The edge-pair checks on merged layers and on raw integer polygons (public low-level API).

Shielding follows the reference: a violation of a subject shape is dropped when an edge of
the subject or of a shape near it (on the checked layers) cuts through the edge pair; between
two shapes of one layer the pair stays if it is seen unshielded from either shape.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .boxes import box_pairs
from .edges import OVERLAP, SPACE, WIDTH
from .merge import MergedLayer, flatten, merge_flat, merge_layer
from .pairs import EdgePairs, cross_check, dedupe_pairs, intra_check, to_edge_pairs
from .shield import ShieldContext


def width_layer(layer: MergedLayer, d: int, metric: str = "euclidian") -> EdgePairs:
    """Width violations of a merged layer (inside each polygon)."""
    # no de-duplication: the reference reports a pair twice when two edge pairs of one
    # polygon give the same parts (a vertex seen from both its edges)
    first, second, poly, _, _ = intra_check(layer, d, WIDTH, shield=True, metric=metric)
    return to_edge_pairs(first, second, poly, poly)


def space_layer(layer: MergedLayer, d: int, metric: str = "euclidian") -> EdgePairs:
    """Space violations of a merged layer: between polygons and notches inside one."""
    # shapes with neighbours closer than d are checked on maximal edges, lone shapes on
    # their polygon edges (the two differ only where a shape touches itself)
    joined = layer.unsplit()
    close = box_pairs(joined.bbox, joined.bbox, d, same=True)
    nbr = ShieldContext(joined, joined, d, True, pairs=close)
    lone = ShieldContext(layer, layer, d, True, alone=True)
    has_nbr = nbr.has_neighbours()
    f1, s1, p1, ia1, ib1 = intra_check(layer, d, SPACE, shield=False, metric=metric)
    if joined is not layer:
        sel = ~has_nbr[p1]
        f1, s1, p1, ia1, ib1 = f1[sel], s1[sel], p1[sel], ia1[sel], ib1[sel]
        keep1 = ~lone.shielded(p1, ia1, ib1, f1, s1, b_in_a=np.ones(len(p1), dtype=bool))
        fj, sj, pj, iaj, ibj = intra_check(joined, d, SPACE, shield=False, metric=metric)
        sel = has_nbr[pj]
        fj, sj, pj, iaj, ibj = fj[sel], sj[sel], pj[sel], iaj[sel], ibj[sel]
        keepj = ~nbr.shielded(pj, iaj, ibj, fj, sj, b_in_a=np.ones(len(pj), dtype=bool))
        f1, s1, p1 = np.concatenate([f1, fj]), np.concatenate([s1, sj]), np.concatenate([p1, pj])
        keep1 = np.concatenate([keep1, keepj])
    else:
        ctx_lone = ~has_nbr[p1]
        keep1 = np.ones(len(p1), dtype=bool)
        both = np.ones(len(p1), dtype=bool)
        for ctx, sel in ((lone, ctx_lone), (nbr, ~ctx_lone)):
            keep1[sel] = ~ctx.shielded(p1[sel], ia1[sel], ib1[sel], f1[sel], s1[sel],
                                       b_in_a=both[sel])
    f2, s2, pa2, pb2, ia2, ib2 = cross_check(joined, joined, d, SPACE, True, pairs=close,
                                             metric=metric)
    # a pair between two shapes is reported unless it is shielded seen from either shape
    keep2 = ~(nbr.shielded(pa2, ia2, ib2, f2, s2) & nbr.shielded(pb2, ib2, ia2, s2, f2))
    first = np.concatenate([f1[keep1], f2[keep2]])
    second = np.concatenate([s1[keep1], s2[keep2]])
    pa = np.concatenate([p1[keep1], pa2[keep2]])
    pb = np.concatenate([p1[keep1], pb2[keep2]])
    first, second, pa, pb = dedupe_pairs(first, second, pa, pb, True)
    return to_edge_pairs(first, second, pa, pb)


def _two_layer(la: MergedLayer, lb: MergedLayer, d: int, relation: str,
               metric: str) -> EdgePairs:
    close = box_pairs(la.bbox, lb.bbox, d)
    first, second, pa, pb, ia, ib = cross_check(la, lb, d, relation, False, pairs=close,
                                               metric=metric)
    keep = ~ShieldContext(la, lb, d, False, pairs=close).shielded(pa, ia, ib, first, second)
    first, second, pa, pb = dedupe_pairs(first[keep], second[keep], pa[keep], pb[keep], False)
    return to_edge_pairs(first, second, pa, pb)


def separation_layers(la: MergedLayer, lb: MergedLayer, d: int,
                      metric: str = "euclidian") -> EdgePairs:
    """Separation violations between polygons of two merged layers."""
    return _two_layer(la, lb, d, SPACE, metric)


def enclosing_layers(outer: MergedLayer, inner: MergedLayer, d: int,
                     metric: str = "euclidian") -> EdgePairs:
    """Enclosure violations: outer edges closer than d outside inner edges."""
    return _two_layer(outer, inner, d, OVERLAP, metric)


def _merge(polys: Sequence[np.ndarray]) -> MergedLayer:
    return merge_layer(polys)


def width_pairs(polys: Sequence[np.ndarray], d: int, *, metric: str = "euclidian") -> EdgePairs:
    """Width check on raw polygons in integer database units (merged first).

    Args:
        polys: (N, 2) integer arrays.
        d: minimum width in database units; a distance strictly below it is a violation.
        metric: euclidian (default), projection or square, as the reference's metrics.
    """
    return width_layer(_merge(polys), int(d), metric)


def space_pairs(polys: Sequence[np.ndarray], d: int, *, semantics: str = "merged",
                metric: str = "euclidian") -> EdgePairs:
    """Space check (notches included) on raw polygons in integer database units.

    Args:
        polys: (N, 2) integer arrays.
        d: minimum space in database units.
        semantics: "merged" merges the layer first (as run_drc does). The other two mimic the
            reference on an unmerged layer, for comparisons only: "local" merges each shape
            with its neighbours only (abutting shapes then meet at zero distance; slow),
            "none" checks every shape as drawn, overlaps included (merged semantics off).
    """
    if semantics == "local":
        from .raw import space_pairs_raw

        return space_pairs_raw(polys, int(d), metric)
    if semantics == "none":
        return space_layer(merge_flat(*flatten(polys), merge=False), int(d), metric)
    if semantics != "merged":
        raise ValueError(f"semantics: expected merged, local or none, got {semantics!r}")
    return space_layer(_merge(polys), int(d), metric)


def separation_pairs(polys_a: Sequence[np.ndarray], polys_b: Sequence[np.ndarray],
                     d: int, *, metric: str = "euclidian") -> EdgePairs:
    """Separation check between two layers' raw polygons in integer database units."""
    return separation_layers(_merge(polys_a), _merge(polys_b), int(d), metric)


def enclosing_pairs(outer: Sequence[np.ndarray], inner: Sequence[np.ndarray],
                    d: int, *, metric: str = "euclidian") -> EdgePairs:
    """Enclosing check (outer encloses inner by d) on raw polygons in database units."""
    return enclosing_layers(_merge(outer), _merge(inner), int(d), metric)
