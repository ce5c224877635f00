"""The edge-pair checks on merged layers and on raw integer polygons (public low-level API).

Shielding follows the reference: a violation of a subject shape is dropped when an edge of
the subject or of a shape near it (on the checked layers, inside the subject's box grown by
the distance) cuts through the edge pair; between two shapes of one layer the pair stays if
it is seen unshielded from either shape.

Where a merged polygon touches itself (shapes that met at a point), the reference reads its
edges two ways, and so do these checks: width and a lone polygon's notches use the polygon's
own edges, split where its contour turns at the touch point; a space check of a polygon with
neighbours, and a two-layer check of a first-layer polygon whose box touches another one's,
use maximal edges (not split where another part of the polygon touches them). Which edge of a
pair the reference meets first orients the pair in the shielding test; first_side says which.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .edges import OVERLAP, SPACE, WIDTH
from .merge import MergedLayer, flatten, merge_flat, merge_layer
from .pairs import EdgePairs, cross_check, dedupe_pairs, intra_check, to_edge_pairs
from .shield import ShieldContext, edge_meets_box

# The reference compares all edges pairwise in their input order up to this many edges, and
# sweeps them sorted by box beyond; which edge of a pair comes first decides the orientation
# of the pair in its shielding test.
_SCAN_BRUTE = 100


def first_side(layer: MergedLayer, ia: np.ndarray, ib: np.ndarray,
               scan_count: np.ndarray | None = None,
               sorted_input: np.ndarray | None = None) -> np.ndarray:
    """Row-wise: does edge ib come before edge ia (both of one polygon) in the reference?

    Args:
        layer: the merged layer.
        ia: global edge indices into layer.edges, one per pair.
        ib: global edge indices of the other edge of each pair (same polygon), ia < ib.
        scan_count: per polygon, the number of edges compared together (default: its own).
        sorted_input: per polygon, its edges enter the comparison sorted by their start then
            end point (y before x), as after the reference's local merge; else in polygon order.
    """
    if len(ia) == 0:
        return np.zeros(0, dtype=bool)
    poly = np.searchsorted(layer.offsets, ia, side="right") - 1
    ea, eb = layer.edges[ia], layer.edges[ib]
    before = np.zeros(len(ia), dtype=bool)  # polygon order: ia comes first
    if sorted_input is not None:
        srt = sorted_input[poly]
        if srt.any():
            ka = ea[:, [1, 0, 3, 2]]
            kb = eb[:, [1, 0, 3, 2]]
            diff = ka != kb
            col = np.argmax(diff, axis=1)
            r = np.arange(len(ia))
            before = np.where(srt, kb[r, col] < ka[r, col], before)
    n = np.diff(layer.offsets) if scan_count is None else scan_count
    big = n[poly] > _SCAN_BRUTE
    if big.any():
        # beyond the brute-force size the edge further right (box left side) comes first
        la = np.minimum(ea[:, 0], ea[:, 2])
        lb = np.minimum(eb[:, 0], eb[:, 2])
        before = np.where(big & (la != lb), lb > la, before)
    return before


def _put_first(before: np.ndarray, ia, ib, first, second):
    """Swap the two sides of the pairs where the second edge comes first."""
    if before.any():
        ia, ib = np.where(before, ib, ia), np.where(before, ia, ib)
        first, second = np.where(before[:, None], second, first), \
            np.where(before[:, None], first, second)
    return ia, ib, first, second


def width_layer(layer: MergedLayer, d: int, metric: str = "euclidian") -> EdgePairs:
    """Width violations of a merged layer (inside each polygon).

    Args:
        layer: the merged layer.
        d: the minimum width in database units; a distance strictly below it violates.
        metric: "euclidian", "projection" or "square", as the reference's metrics.
    """
    # no de-duplication: the reference reports a pair twice when two edge pairs of one
    # polygon give the same parts (a vertex seen from both its edges)
    first, second, poly, _, _ = intra_check(layer, d, WIDTH, shield=True, metric=metric,
                                            first_side=first_side)
    return to_edge_pairs(first, second, poly, poly)


def _scan_counts(lay: MergedLayer, ctx: ShieldContext, polys: np.ndarray) -> np.ndarray:
    """Per polygon, its edges plus the neighbours' edges within its check box."""
    n = np.diff(lay.offsets).copy()
    nn = ctx.start[polys + 1] - ctx.start[polys]
    if len(polys) == 0 or nn.sum() == 0:
        return n
    sub = np.repeat(polys, nn)
    nbr = ctx.j[np.repeat(ctx.start[polys], nn)
                + (np.arange(int(nn.sum())) - np.repeat(np.cumsum(nn) - nn, nn))]
    cnt = lay.offsets[nbr + 1] - lay.offsets[nbr]
    rows = np.repeat(lay.offsets[nbr], cnt) + (
        np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    owner = np.repeat(sub, cnt)
    inside = edge_meets_box(lay.edges[rows], ctx.box[owner])
    n += np.bincount(owner[inside], minlength=lay.count)
    return n


def space_layer(layer: MergedLayer, d: int, metric: str = "euclidian") -> EdgePairs:
    """Space violations of a merged layer: between polygons and notches inside one.

    Args:
        layer: the merged layer.
        d: the minimum space in database units; a distance strictly below it violates.
        metric: "euclidian", "projection" or "square", as the reference's metrics.
    """
    # the reference checks a polygon with neighbours (boxes closer than d) on maximal edges
    # (an edge is not split where another part of its polygon touches it), a lone polygon
    # on its polygon edges
    close = layer.near(layer, d, same=True)
    has_nbr = np.zeros(layer.count, dtype=bool)
    has_nbr[close[0]] = True
    has_nbr[close[1]] = True
    lay = layer.with_maximal_edges(has_nbr)
    ctx = ShieldContext(lay, lay, d, True, pairs=close)
    f1, s1, p1, ia1, ib1 = intra_check(lay, d, SPACE, shield=False, metric=metric)
    # a polygon with neighbours is compared with its edges sorted (after a local merge)
    # (ia1 < ib1 here: polygon order)
    before = first_side(lay, np.minimum(ia1, ib1), np.maximum(ia1, ib1),
                        _scan_counts(lay, ctx, np.unique(p1[has_nbr[p1]])), has_nbr)
    ia1, ib1, f1, s1 = _put_first(before, ia1, ib1, f1, s1)
    keep1 = ~ctx.shielded(p1, ia1, ib1, f1, s1, b_in_a=np.ones(len(p1), dtype=bool))
    f2, s2, pa2, pb2, ia2, ib2 = cross_check(lay, lay, d, SPACE, True, pairs=close,
                                             metric=metric)
    # a pair between two shapes is reported unless it is shielded seen from either shape
    keep2 = ~(ctx.shielded(pa2, ia2, ib2, f2, s2) & ctx.shielded(pb2, ib2, ia2, s2, f2))
    first = np.concatenate([f1[keep1], f2[keep2]])
    second = np.concatenate([s1[keep1], s2[keep2]])
    pa = np.concatenate([p1[keep1], pa2[keep2]])
    pb = np.concatenate([p1[keep1], pb2[keep2]])
    first, second, pa, pb = dedupe_pairs(first, second, pa, pb, True)
    return to_edge_pairs(first, second, pa, pb)


def _two_layer(la: MergedLayer, lb: MergedLayer, d: int, relation: str,
               metric: str) -> EdgePairs:
    # the reference checks a polygon of the first layer on maximal edges when the box of
    # another polygon of that layer touches its box, else on its polygon edges
    i, j = la.near(la, 1, same=True)
    crowded = np.zeros(la.count, dtype=bool)
    crowded[i] = True
    crowded[j] = True
    close = la.near(lb, d)
    la = la.with_maximal_edges(crowded)
    first, second, pa, pb, ia, ib = cross_check(la, lb, d, relation, False, pairs=close,
                                               metric=metric)
    keep = ~ShieldContext(la, lb, d, False, pairs=close).shielded(pa, ia, ib, first, second)
    first, second, pa, pb = dedupe_pairs(first[keep], second[keep], pa[keep], pb[keep], False)
    return to_edge_pairs(first, second, pa, pb)


def separation_layers(la: MergedLayer, lb: MergedLayer, d: int,
                      metric: str = "euclidian") -> EdgePairs:
    """Separation violations between polygons of two merged layers.

    Args:
        la: the first merged layer (the first edge of each pair).
        lb: the second merged layer.
        d: the minimum separation in database units.
        metric: "euclidian", "projection" or "square", as the reference's metrics.
    """
    return _two_layer(la, lb, d, SPACE, metric)


def enclosing_layers(outer: MergedLayer, inner: MergedLayer, d: int,
                     metric: str = "euclidian") -> EdgePairs:
    """Enclosure violations: outer edges closer than d outside inner edges.

    Args:
        outer: the enclosing merged layer (the first edge of each pair).
        inner: the enclosed merged layer.
        d: the minimum enclosure in database units.
        metric: "euclidian", "projection" or "square", as the reference's metrics.
    """
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
        metric: euclidian (default), projection or square, as the reference's metrics.

    Raises:
        ValueError: semantics is none of the three.
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
    """Separation check between two layers' raw polygons in database units (merged first).

    Args:
        polys_a: the first layer's polygons, (N, 2) integer arrays.
        polys_b: the second layer's polygons, (N, 2) integer arrays.
        d: minimum separation in database units.
        metric: euclidian (default), projection or square, as the reference's metrics.
    """
    return separation_layers(_merge(polys_a), _merge(polys_b), int(d), metric)


def enclosing_pairs(outer: Sequence[np.ndarray], inner: Sequence[np.ndarray],
                    d: int, *, metric: str = "euclidian") -> EdgePairs:
    """Enclosing check (outer encloses inner by d) on raw polygons in database units.

    Args:
        outer: the enclosing layer's polygons, (N, 2) integer arrays.
        inner: the enclosed layer's polygons, (N, 2) integer arrays.
        d: minimum enclosure in database units.
        metric: euclidian (default), projection or square, as the reference's metrics.
    """
    return enclosing_layers(_merge(outer), _merge(inner), int(d), metric)
