"""One layer of a cell as a plate writes it: merged, biased, snapped, inverted if dark field.

The CD bias is applied per edge; a dark-field plate's layer is inverted inside a box.

The bias moves every edge of the merged layer along its normal (negative: inward) with mitred
corners, so a straight edge moves by exactly the bias; vertices are snapped to the
manufacturing grid afterwards. Biasing the merged layer, not each polygon, keeps shapes that
abut joined when they shrink. GDS has no holes: results are cut into hole-free polygons.
"""

from __future__ import annotations

from collections.abc import Sequence

import gdstk
import numpy as np
import shapely

from ..geometry import hole_free_rings, snap_geometry
from ..io.gds import flatten_gds_layer
from ..polys import filled

__all__ = ["biased", "layer_geometry", "to_cell"]

Box = tuple[float, float, float, float]


def layer_geometry(cell: gdstk.Cell, gds: tuple[int, int], *, grid_um: float):
    """The merged shapes of one GDS layer under a cell, as one shapely geometry (um).

    Args:
        cell: the cell (flattened).
        gds: the (layer, datatype) pair.
        grid_um: the manufacturing grid (vertices off it are snapped).
    """
    polys = flatten_gds_layer(cell, gds, dbu_um=grid_um)
    if not polys:
        return shapely.Polygon()
    geoms = filled(np.array([shapely.Polygon(p) for p in polys], dtype=object))
    return shapely.union_all(geoms)


def biased(geom, bias_um: float, *, grid_um: float):
    """A merged geometry with every edge moved by bias_um (mitred corners), snapped to the grid.

    Args:
        geom: the shapely geometry (um).
        bias_um: the CD bias per edge (negative shrinks).
        grid_um: the manufacturing grid.
    """
    if bias_um != 0 and not geom.is_empty:
        geom = geom.buffer(bias_um, join_style="mitre", mitre_limit=10.0)
    return snap_geometry(geom, grid_um)


def to_cell(name: str, geom, layer: tuple[int, int], *, grid_um: float,
            invert_in: Box | None = None, extra: Sequence[gdstk.Polygon] = ()) -> gdstk.Cell:
    """A cell holding a geometry as hole-free polygons on one layer.

    Args:
        name: the cell name.
        geom: the shapely geometry (um, on the grid).
        layer: the (layer, datatype) to draw on.
        grid_um: the manufacturing grid (an inversion's new vertices are snapped to it).
        invert_in: draw the box less the geometry instead (a dark-field inversion).
        extra: further polygons to add as they are.
    """
    if invert_in is not None:
        geom = snap_geometry(shapely.box(*invert_in).difference(geom), grid_um)
    cell = gdstk.Cell(name)
    for ring in hole_free_rings(geom):
        cell.add(gdstk.Polygon(ring, layer=layer[0], datatype=layer[1]))
    cell.add(*extra)
    return cell
