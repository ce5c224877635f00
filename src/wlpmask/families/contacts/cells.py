"""Cells of grown elements: contact areas, pins, leaf springs, placed by (array) reference.

A contact cell holds a contact area with its interconnect (one conductor polygon) and its
passivation window; a pin cell holds one pin relative to its contact centre: the foot, the
mould opening moved against the beam, the head and its laser-uncover window; a leaf-spring cell
holds the spring outline, its anchor, the release window and the head at its tip. Contacts of
one size and interconnect direction share a cell, pins of one exposure sector share a cell, and
each cell is placed by array references over the contact grid where the sites allow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import gdstk
import numpy as np
import shapely

from ... import geometry as geo
from ...cells import CellCache, add_array, array_runs, polygon
from ...tech import Layer

__all__ = ["axis_toward", "contact_shapes", "pin_shapes", "place_groups", "rotate",
           "spring_shapes"]

Shapes = dict[str, list[np.ndarray]]


def rotate(points: np.ndarray, az_deg: float) -> np.ndarray:
    """Points turned by an axis azimuth (0, 90, 180, 270), exactly.

    Args:
        points: (N, 2) um.
        az_deg: the azimuth, a multiple of 90.
    """
    x, y = points[:, 0], points[:, 1]
    k = int(round(az_deg / 90.0)) % 4
    return np.column_stack([(x, -y, -x, y)[k], (y, x, -y, -x)[k]])


def axis_toward(dx: float, dy: float) -> float:
    """The axis azimuth (0, 90, 180, 270) nearest a direction; +x for no direction.

    Args:
        dx: the direction's x.
        dy: the direction's y.
    """
    if abs(dx) >= abs(dy):
        return 0.0 if dx >= 0 else 180.0
    return 90.0 if dy > 0 else 270.0


def contact_shapes(*, w_um: float, h_um: float, stub_az_deg: float | None,
                   stub_length_um: float, stub_width_um: float, window_inset_um: float | None,
                   grid_um: float) -> Shapes:
    """A contact area with its interconnect stub, and its passivation window (um, centred).

    Args:
        w_um: contact-area width.
        h_um: contact-area height.
        stub_az_deg: the interconnect's axis (None or length 0: none).
        stub_length_um: from the contact edge.
        stub_width_um: trace width.
        window_inset_um: the contact area encloses its window by this much (None: no window).
        grid_um: the grid.
    """
    area = shapely.box(-w_um / 2, -h_um / 2, w_um / 2, h_um / 2)
    if stub_az_deg is not None and stub_length_um > 0:
        reach = (w_um if stub_az_deg % 180 == 0 else h_um) / 2
        stub = rotate(geo.box(reach - grid_um, -stub_width_um / 2, reach + stub_length_um,
                              stub_width_um / 2), stub_az_deg)
        area = area.union(shapely.Polygon(stub))
    out: Shapes = {"CONTACT": [np.array(area.exterior.coords[:-1])]}
    e = window_inset_um
    if e is not None and min(w_um, h_um) > 2 * e:
        out["PASSIVATION"] = [geo.rect(width_um=w_um - 2 * e, height_um=h_um - 2 * e)]
    return out


def _round(d: float, shape: str, at: Sequence[float], grid_um: float) -> np.ndarray:
    return geo.round_pad(diameter_um=d, shape=shape, center=at, grid_um=grid_um)


def pin_shapes(*, diameter_um: float, shape: str, opening_um: Sequence[float],
               top_um: Sequence[float], head_um: float | None, uncover_um: float | None,
               grid_um: float) -> Shapes:
    """One pin's shapes relative to its contact centre.

    FOOT at the origin, MOULD at the opening, HEAD and UNCOVER at the top.

    Args:
        diameter_um: the pin (and opening) diameter.
        shape: "octagon" or "circle".
        opening_um: the opening centre relative to the contact centre.
        top_um: the column's top at the resist surface, relative to the contact centre.
        head_um: head diameter (None: no head).
        uncover_um: laser-uncover window diameter (None: none).
        grid_um: the grid.
    """
    out: Shapes = {"FOOT": [_round(diameter_um, shape, (0.0, 0.0), grid_um)],
                   "MOULD": [_round(diameter_um, shape, opening_um, grid_um)]}
    if head_um:
        out["HEAD"] = [_round(head_um, shape, top_um, grid_um)]
    if uncover_um:
        out["UNCOVER"] = [_round(uncover_um, shape, top_um, grid_um)]
    return out


def spring_shapes(*, along_um: float, across_um: float, az_deg: float, free_length_um: float,
                  film_um: float, taper_ratio: float, release_gap_um: float,
                  release_margin_um: float, head: bool, uncover_um: float | None,
                  grid_um: float) -> Shapes:
    """A leaf spring anchored on its contact area (centred at the origin), pointing along az.

    The spring is as wide as the contact area across it; its free part starts release_gap_um
    beyond the anchor's edge, keeps the full width, then tapers over taper_ratio of the free
    length to a square tip as wide as the film is thick. The release window lies under the free
    part with a margin; the head coats the tip and its sides (a square of three film
    thicknesses).

    Args:
        along_um: the contact area's extent along the spring.
        across_um: its extent across (the spring's width).
        az_deg: the direction, an axis (0, 90, 180, 270).
        free_length_um: the released length, from the release edge to the tip.
        film_um: the film thickness (the tip's side).
        taper_ratio: the share of the free length that tapers.
        release_gap_um: from the anchor's edge to the release window.
        release_margin_um: the release window beyond the spring's sides and tip.
        head: coat the tip.
        uncover_um: laser-uncover window around the head (None: none).
        grid_um: the grid.
    """
    a, b, t = along_um / 2, across_um / 2, film_um
    x0 = a + release_gap_um
    xe = x0 + free_length_um
    xt = x0 + free_length_um * (1.0 - taper_ratio)
    xs = xe - t
    outline = np.array([(-a, -b), (min(xt, xs), -b), (xs, -t / 2), (xe, -t / 2), (xe, t / 2),
                        (xs, t / 2), (min(xt, xs), b), (-a, b)])
    m = release_margin_um
    out: Shapes = {"SPRING": [outline], "ANCHOR": [geo.box(-a, -b, a, b)],
                   "RELEASE": [geo.box(x0, -b - m, xe + m, b + m)]}
    tip = (xe - t / 2, 0.0)
    if head:
        out["HEAD"] = [geo.rect(width_um=3 * t, height_um=3 * t, center=tip)]
    if uncover_um:
        out["UNCOVER"] = [geo.rect(width_um=uncover_um, height_um=uncover_um, center=tip)]
    return {k: [geo.snap(rotate(p, az_deg), grid_um) for p in v] for k, v in out.items()}


def shapes_cell(prefix: str, shapes: Callable[..., Shapes], layers: Mapping[str, Layer], *,
                grid_um: float, cache: CellCache, **params: Any) -> gdstk.Cell:
    """The cell of a set of shapes by role, named from its parameters, built once.

    Args:
        prefix: what the cell is.
        shapes: the generator: shapes(**params, grid_um=grid_um) -> role -> polygons (um),
            called only when the cell is not cached yet.
        layers: role -> layer.
        grid_um: the grid.
        cache: the build's cell cache.
        params: the generator's parameters (they name the cell).
    """
    def build(**kw: Any) -> gdstk.Cell:
        cell = gdstk.Cell(prefix)
        drawn = shapes(**kw, grid_um=grid_um)
        for role in sorted(drawn):
            for pts in drawn[role]:
                cell.add(polygon(pts, layers[role], grid_um=grid_um))
        return cell

    return cache.cell(prefix, build, **params)


def place_groups(top: gdstk.Cell, groups: Mapping[str, tuple[gdstk.Cell, list]],
                 pitch_um: tuple[float, float] | None, grid_um: float) -> None:
    """Place each cell at its sites: runs of the array pitch become array references.

    Args:
        top: the parent cell.
        groups: cell name -> (cell, [(x, y) sites]).
        pitch_um: the contact array's (x, y) pitch (None: not an array).
        grid_um: the grid.
    """
    for name in sorted(groups):
        cell, sites = groups[name]
        for x0, y0, cols, rows, px, py in array_runs(sites, pitch_um[0] if pitch_um else None,
                                                     grid_um):
            add_array(top, cell, columns=cols, rows=rows, pitch_x_um=px, pitch_y_um=py,
                      origin=(x0, y0))


def group_by(items: Iterable[tuple[gdstk.Cell, tuple[float, float]]]
             ) -> dict[str, tuple[gdstk.Cell, list]]:
    """Sites grouped by cell name.

    Args:
        items: (cell, site) pairs.
    """
    out: dict[str, tuple[gdstk.Cell, list]] = {}
    for cell, site in items:
        out.setdefault(cell.name, (cell, []))[1].append(site)
    return out
