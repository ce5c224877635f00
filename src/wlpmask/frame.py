"""The die frame every family draws: die boundary, half the dicing lane and the seal ring."""

from __future__ import annotations

from typing import Any

import gdstk
import numpy as np

from . import geometry as geo
from .cells import CellCache, polygon
from .designfile import Die
from .tech import Layer

__all__ = ["frame_cell", "frame_shapes"]


def frame_shapes(die: Die) -> dict[str, list[np.ndarray]]:
    """Die boundary, half dicing lane and seal ring (four rectangles per band), in um.

    Args:
        die: the die frame.

    Returns:
        "DIE", "DICING" and "SEAL" -> polygons (the bands are empty when their width is 0).
    """
    w, h = die.width_um, die.height_um
    out: dict[str, list[np.ndarray]] = {"DIE": [geo.box(0, 0, w, h)], "DICING": [], "SEAL": []}
    if die.dicing_lane_um > 0:
        out["DICING"] = geo.frame(outer=(0, 0, w, h), width_um=die.seal_outer_um)
    if die.seal_ring_um > 0:
        out["SEAL"] = geo.frame(outer=die.inset(die.seal_outer_um), width_um=die.seal_ring_um)
    return out


def frame_cell(die: Die, *, die_layer: Layer, dicing_layer: Layer, seal_layer: Layer,
               grid_um: float, cache: CellCache) -> gdstk.Cell:
    """The frame cell of a die, built once per size in the cache.

    Args:
        die: the die frame.
        die_layer: the layer of the die boundary.
        dicing_layer: the layer of the dicing-lane half.
        seal_layer: the layer of the seal ring.
        grid_um: the manufacturing grid.
        cache: the build's cell cache.
    """
    layers = {"DIE": die_layer, "DICING": dicing_layer, "SEAL": seal_layer}

    def build(**_: Any) -> gdstk.Cell:
        cell = gdstk.Cell("frame")
        for role, polys in frame_shapes(die).items():
            for pts in polys:
                cell.add(polygon(pts, layers[role], grid_um=grid_um))
        return cell

    return cache.cell("frame", build, w_um=die.width_um, h_um=die.height_um,
                      lane_um=die.dicing_lane_um, seal_um=die.seal_ring_um)
