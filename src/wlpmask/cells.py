"""Building cells on gdstk deterministically: stable names, an explicit cache, arrays, polygons.

A generator names its cell from its parameters, so the same input gives the same name and,
written through wlpmask.io.gds, the same bytes. The cache is an object the caller passes
around; there is no module-level registry.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import gdstk
import numpy as np

from .errors import WlpmaskError
from .geometry import snap
from .tech import Layer

_NAME_CHARS = re.compile(r"[^A-Za-z0-9_$.-]")
_UNIT = re.compile(r"_(um|um2|nm|mm|deg|count|ratio|percent)$")
# Long enough to keep names readable in a cell tree, short enough for old GDS tools.
_READABLE_LEN = 40
_GDS_MAX_ARRAY = 32767


def _canonical(value: Any) -> Any:
    """A JSON-able form in which 1 and 1.0 (and 0.1 + 0.2 and 0.3) are the same."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
        if not math.isfinite(f):
            raise WlpmaskError(f"a cell parameter must be finite, got {value!r}")
        return round(f, 9) + 0.0  # + 0.0 turns -0.0 into 0.0
    if isinstance(value, Layer):
        return value.name
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_canonical(v) for v in value]
    raise WlpmaskError(f"a cell parameter must be a number, string, bool, layer or sequence, "
                       f"got {type(value).__name__}")


def _short(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}".replace("-", "m").replace(".", "p")
    if isinstance(value, list):
        return "x".join(_short(v) for v in value)
    if isinstance(value, dict):
        return ""
    return _NAME_CHARS.sub("", str(value))


def cell_name(prefix: str, **params: Any) -> str:
    """A stable cell name: prefix, the parameters as far as they stay short, an 8-digit hash.

    Args:
        prefix: what the cell is (e.g. "bump"); letters, digits, "_$.-".
        params: the generator's parameters; names ending in a unit suffix lose the suffix
            in the readable part (pitch_um=400 -> "pitch400").

    Returns:
        e.g. "bump_d250_octagon_3f09a1c2". Equal parameters give equal names, also across
        processes; 1 and 1.0 are equal.
    """
    if not prefix or _NAME_CHARS.search(prefix):
        raise WlpmaskError(f"cell name prefix must be letters, digits or '_$.-', got {prefix!r}")
    canon = {k: _canonical(v) for k, v in sorted(params.items())}
    if not canon:
        return prefix
    digest = hashlib.sha256(json.dumps(canon, sort_keys=True, separators=(",", ":"))
                            .encode()).hexdigest()[:8]
    readable = prefix
    for key, value in canon.items():
        part = _UNIT.sub("", key) + _short(value)
        if len(readable) + 1 + len(part) > _READABLE_LEN:
            break
        readable += "_" + part
    return f"{readable}_{digest}"


class CellCache:
    """Cells built once per name; pass one instance through a build, do not share globally."""

    def __init__(self) -> None:
        self._cells: dict[str, gdstk.Cell] = {}

    def get(self, name: str, build: Callable[[], gdstk.Cell]) -> gdstk.Cell:
        """The cached cell called name, built (and named) by build() on first use.

        Args:
            name: the cell name.
            build: makes the cell; its name is set to `name` afterwards.

        Raises:
            TypeError: build() returned no gdstk.Cell.
        """
        cell = self._cells.get(name)
        if cell is None:
            cell = build()
            if not isinstance(cell, gdstk.Cell):
                raise TypeError(f"build() must return a gdstk.Cell, got {type(cell).__name__}")
            cell.name = name
            self._cells[name] = cell
        return cell

    def cell(self, prefix: str, build: Callable[..., gdstk.Cell], **params: Any) -> gdstk.Cell:
        """The cell build(**params), named cell_name(prefix, **params), built once.

        Args:
            prefix: what the cell is (see cell_name).
            build: the generator, called with the parameters.
            params: the generator's keyword parameters (units in their names, e.g. pitch_um).
        """
        return self.get(cell_name(prefix, **params), lambda: build(**params))

    def __contains__(self, name: object) -> bool:
        return name in self._cells

    def __len__(self) -> int:
        return len(self._cells)

    def cells(self) -> list[gdstk.Cell]:
        """All cached cells sorted by name."""
        return [self._cells[n] for n in sorted(self._cells)]


def add_array(parent: gdstk.Cell, child: gdstk.Cell, *, columns: int, rows: int,
              pitch_x_um: float, pitch_y_um: float,
              origin: tuple[float, float] = (0.0, 0.0)) -> gdstk.Reference:
    """Place child columns x rows times in parent as one array reference (GDS AREF).

    Args:
        parent: the cell that receives the reference.
        child: the placed cell.
        columns: instances per row, 1..32767.
        rows: instances per column, 1..32767.
        pitch_x_um: centre-to-centre step along x in um (> 0 when columns > 1).
        pitch_y_um: centre-to-centre step along y in um (> 0 when rows > 1).
        origin: position of the first (lower left) instance in um.

    Returns:
        The reference added to parent.
    """
    for key, n in (("columns", columns), ("rows", rows)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) \
                or not 1 <= n <= _GDS_MAX_ARRAY:
            raise WlpmaskError(f"expected an integer 1..{_GDS_MAX_ARRAY}, got {n!r}", key=key)
    for key, n, pitch in (("pitch_x_um", columns, pitch_x_um), ("pitch_y_um", rows, pitch_y_um)):
        if not math.isfinite(pitch) or (n > 1 and pitch <= 0):
            raise WlpmaskError(f"expected a pitch > 0 um, got {pitch!r}", key=key)
    ox, oy = (float(v) for v in origin)
    if columns == 1 and rows == 1:
        ref = gdstk.Reference(child, (ox, oy))
    else:
        ref = gdstk.Reference(child, (ox, oy), columns=int(columns), rows=int(rows),
                              spacing=(float(pitch_x_um) if columns > 1 else 0.0,
                                       float(pitch_y_um) if rows > 1 else 0.0))
    parent.add(ref)
    return ref


def polygon(points: Sequence[Sequence[float]] | np.ndarray, layer: Layer | tuple[int, int], *,
            grid_um: float) -> gdstk.Polygon:
    """A gdstk polygon with vertices snapped to the manufacturing grid.

    Args:
        points: (N, 2) vertices in um, not closed (the last vertex is not the first).
        layer: a technology layer or a (layer, datatype) pair.
        grid_um: the grid in um (Technology.grid_um).

    Raises:
        WlpmaskError: fewer than 3 distinct vertices remain after snapping.
    """
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != 2 or not np.all(np.isfinite(pts)):
        raise WlpmaskError(f"expected finite (N, 2) vertices, got shape {pts.shape}")
    if not grid_um > 0:
        raise WlpmaskError(f"expected a grid > 0 um, got {grid_um!r}")
    snapped = snap(pts, grid_um)
    # Snapping can merge neighbours; drop repeated vertices, the closing one included.
    keep = np.any(snapped != np.roll(snapped, 1, axis=0), axis=1)
    snapped = snapped[keep]
    if len(snapped) < 3:
        raise WlpmaskError(f"polygon has fewer than 3 distinct vertices on a {grid_um:g} um grid")
    gds = layer.gds if isinstance(layer, Layer) else layer
    return gdstk.Polygon(snapped, layer=int(gds[0]), datatype=int(gds[1]))


def array_runs(sites: Sequence[tuple[float, float]], pitch_um: float | None,
               grid_um: float) -> list[tuple[float, float, int, int, float, float]]:
    """Group instance positions (bump centres, pins) into array references.

    Args:
        sites: the instance origins in um.
        pitch_um: the array pitch along a row (None: no pitch, every site its own run).
        grid_um: the manufacturing grid (tolerance of equal steps).

    Returns (x0, y0, columns, rows, pitch_x, pitch_y) tuples covering every site once: runs of
    equal pitch along each row, then equal runs stacked at a constant row step.
    """
    tol = grid_um / 2
    rows: dict[float, list[float]] = {}
    for x, y in sites:
        rows.setdefault(round(y / grid_um) * grid_um, []).append(x)
    runs: list[tuple[float, float, int]] = []
    for y in sorted(rows):
        xs = sorted(rows[y])
        start, n = xs[0], 1
        for prev, x in zip(xs[:-1], xs[1:], strict=False):
            if pitch_um is not None and abs(x - prev - pitch_um) <= tol:
                n += 1
            else:
                runs.append((start, y, n))
                start, n = x, 1
        runs.append((start, y, n))
    by_key: dict[tuple[float, int], list[float]] = {}
    for x0, y, n in runs:
        by_key.setdefault((round(x0 / grid_um) * grid_um, n), []).append(y)
    out = []
    for (x0, n), ys in sorted(by_key.items()):
        ys.sort()
        group = [ys[0]]
        for y in ys[1:]:
            if len(group) == 1 or abs((y - group[-1]) - (group[1] - group[0])) <= tol:
                group.append(y)
            else:
                out.append(_run(x0, group, n, pitch_um))
                group = [y]
        out.append(_run(x0, group, n, pitch_um))
    return sorted(out)


def _run(x0: float, ys: list[float], n: int, pitch: float | None):
    dy = ys[1] - ys[0] if len(ys) > 1 else 0.0
    return (x0, ys[0], n, len(ys), pitch if (n > 1 and pitch) else 0.0, dy)


def drawn_layers(cell: gdstk.Cell) -> set[tuple[int, int]]:
    """The (layer, datatype) pairs drawn in a cell and every cell below it.

    Args:
        cell: the cell.
    """
    out: set[tuple[int, int]] = set()
    for c in [cell, *cell.dependencies(True)]:
        out.update((p.layer, p.datatype) for p in c.polygons)
        out.update(pair for path in c.paths for pair in zip(path.layers, path.datatypes))
    return out
