"""Cell hierarchy in memory: the cells under a top, and its polygons flattened by layer.

Coordinates are float micrometres; a layout's database unit is only used to snap vertices that
rotated or magnified references put off the grid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import gdstk
import numpy as np

from ..tech import Technology


def reachable_cells(tops: Sequence[gdstk.Cell]) -> list[gdstk.Cell]:
    """Tops and every cell object they reference, each once, in depth-first order.

    Cells are told apart by identity, not by name: gdstk's Cell.dependencies keeps one cell
    per name and would hide a clash.

    Args:
        tops: the cells to start from; references to cells by name only (str) are skipped.
    """
    seen: dict[int, gdstk.Cell] = {}
    stack = list(reversed(tops))
    while stack:
        cell = stack.pop()
        if id(cell) in seen:
            continue
        seen[id(cell)] = cell
        if isinstance(cell, gdstk.Cell):
            stack.extend(r.cell for r in reversed(cell.references)
                         if not isinstance(r.cell, str) and id(r.cell) not in seen)
    return list(seen.values())


def _grid_preserving(cell: gdstk.Cell) -> bool:
    """True if no reference under cell rotates by other than 90-degree steps or scales."""
    for c in reachable_cells([cell]):
        for r in c.references:
            quarter = r.rotation / (math.pi / 2)
            if r.magnification != 1 or abs(quarter - round(quarter)) > 1e-12:
                return False
    return True


def _points(polys: list[gdstk.Polygon], dbu_um: float | None) -> list[np.ndarray]:
    pts = [p.points for p in polys]
    if dbu_um is None or not pts:
        return pts
    # One array for all polygons: numpy calls per polygon would cost several times more.
    flat = np.round(np.concatenate(pts) / dbu_um) * dbu_um
    ends = np.cumsum([len(a) for a in pts]).tolist()
    return [flat[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def _snap_grid(cell: gdstk.Cell, dbu_um: float | None) -> float | None:
    # Rotated or magnified references put vertices off the grid; snap them back as KLayout
    # does when it flattens. Without those, flattening only adds on-grid offsets.
    if dbu_um is None or _grid_preserving(cell):
        return None
    return dbu_um


def flatten_all(cell: gdstk.Cell, *,
                dbu_um: float | None = None) -> dict[tuple[int, int], list[np.ndarray]]:
    """All polygons under a cell by (layer, datatype), in um, paths as polygons, arrays expanded.

    Args:
        cell: the cell to flatten.
        dbu_um: as for flatten_layers.
    """
    grid = _snap_grid(cell, dbu_um)
    polys: dict[tuple[int, int], list[gdstk.Polygon]] = {}
    for p in cell.get_polygons(apply_repetitions=True, include_paths=True, depth=None):
        polys.setdefault((p.layer, p.datatype), []).append(p)
    return {pair: _points(polys[pair], grid) for pair in sorted(polys)}


def flatten_layers(cell: gdstk.Cell, tech: Technology, *,
                   dbu_um: float | None = None) -> dict[str, list[np.ndarray]]:
    """All polygons of each technology layer under a cell, in um; every layer is a key.

    Args:
        cell: the cell to flatten (references and arrays expanded, paths as polygons).
        tech: the technology naming the layers.
        dbu_um: the layout's database unit (um); if given, vertices placed by rotated
            (other than 90-degree steps) or magnified references are snapped to it.
    """
    by_pair = flatten_all(cell, dbu_um=dbu_um)
    return {name: by_pair.get(lay.gds, []) for name, lay in tech.layers.items()}


def flatten_gds_layer(cell: gdstk.Cell, pair: tuple[int, int], *,
                      dbu_um: float | None = None) -> list[np.ndarray]:
    """All polygons on one (layer, datatype) under a cell, in um.

    Args:
        cell: the cell to flatten.
        pair: (layer, datatype).
        dbu_um: as for flatten_layers.
    """
    layer, datatype = pair
    polys = cell.get_polygons(apply_repetitions=True, include_paths=True, depth=None,
                              layer=layer, datatype=datatype)
    return _points(polys, _snap_grid(cell, dbu_um))


def layer_pairs(cell: gdstk.Cell) -> list[tuple[int, int]]:
    """The (layer, datatype) pairs that carry polygons or paths under a cell, sorted.

    Args:
        cell: the cell; its whole hierarchy is read.
    """
    pairs: set[tuple[int, int]] = set()
    for c in reachable_cells([cell]):
        if not isinstance(c, gdstk.Cell):
            continue
        pairs.update((p.layer, p.datatype) for p in c.polygons)
        for path in c.paths:
            pairs.update(zip(path.layers, path.datatypes, strict=True))
    return sorted(pairs)


def unknown_layers(cell: gdstk.Cell, tech: Technology) -> list[tuple[int, int]]:
    """The (layer, datatype) pairs present under a cell that the technology does not name.

    Args:
        cell: the cell; its whole hierarchy is read.
        tech: the technology whose layers are known.
    """
    known = set(tech.layer_by_gds())
    return [p for p in layer_pairs(cell) if p not in known]
