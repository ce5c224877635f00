"""Bump sites of a design: the [bumps] array or map and the [assignment] that gives them nets.

An array is centred on the die at a pitch, with rows and columns given or fitted inside the
keep-outs, optional stagger and depopulated sites; a map lists every site. Sites are named
JEDEC-style (row letter + column number) and snapped to the manufacturing grid. The
assignment pins pads to bumps ("given") or leaves free bumps to the router ("auto").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ...geometry import snap_value
from ...validate import Reader

if TYPE_CHECKING:  # pragma: no cover
    from ...designfile import Die
    from ...io.pads import Pad
    from .rules import BumpDims

# JEDEC JEP95 row letters: I, O, Q, S, X and Z are skipped.
ROW_LETTERS = "ABCDEFGHJKLMNPRTUVWY"
BUMP_KEYS = {"pitch_um", "rows", "columns", "depopulate", "stagger", "nets", "map", "shape",
             "opening_um"}
_ARRAY_KEYS = ("pitch_um", "rows", "columns", "depopulate", "stagger")
# The most bump sites of one die: every site is a routing terminal, and the router's work
# grows with their number; the largest fan-in arrays in use have a few thousand.
MAX_SITES = 20_000


@dataclass(frozen=True)
class BumpSite:
    """One bump site: name (row letter + column number for arrays), centre, net or None."""

    name: str
    x_um: float
    y_um: float
    net: str | None = None


@dataclass(frozen=True)
class Bumps:
    """The resolved bump array.

    Args:
        pitch_um: array pitch (None for an explicit map).
        rows, columns: array size (0 for an explicit map).
        stagger: odd rows (B, D, ...) shifted by half a pitch.
        depopulated: site names left empty.
        sites: the populated sites, sorted by name.
        dims: the derived bump dimensions (opening, capture pad, UBM, stencil, ball).
    """

    pitch_um: float | None
    rows: int
    columns: int
    stagger: bool
    depopulated: tuple[str, ...]
    sites: tuple[BumpSite, ...]
    dims: BumpDims


def row_name(i: int) -> str:
    """JEDEC row name of row index i (0 = A): A..Y without I O Q S X Z, then AA, AB, ...

    Args:
        i: the row index, from 0.
    """
    n = len(ROW_LETTERS)
    if i < n:
        return ROW_LETTERS[i]
    return row_name(i // n - 1) + ROW_LETTERS[i % n]


def site_key(name: str) -> tuple[int, str, int]:
    """Sort key of a site name: array names by row then column number, other names after.

    Args:
        name: the site name (e.g. "B12").
    """
    m = re.fullmatch(r"([A-Z]+)(\d+)", name)
    if not m:
        return (1, name, 0)
    return (0, f"{len(m.group(1)):02d}{m.group(1)}", int(m.group(2)))


def resolve_bumps(r: Reader, t: dict, *, die: Die, grid_um: float, dims: BumpDims) -> Bumps:
    """The sites of a [bumps] table (array or map) with the nets it gives them.

    Args:
        r: the design file's reader.
        t: the [bumps] table.
        die: the die (bump centres stay inside the keep-outs).
        grid_um: the manufacturing grid; centres are snapped to it.
        dims: the bump dimensions (the smallest legal pitch).
    """
    area = die.inset(die.bump_margin_um)
    if "map" in t:
        for k in _ARRAY_KEYS:
            if k in t:
                raise r.err(f"bumps.{k}", "an explicit bump map takes no array parameters")
        sites = _bump_map(r, t["map"], grid_um, dims, area)
        depop: list[str] = []
        pitch, rows, cols, stagger = None, 0, 0, False
    else:
        pitch = r.num(t, "bumps", "pitch_um", strict=True)
        stagger = r.boolean(t, "bumps", "stagger", default=False)
        if pitch < dims.min_pitch_um:
            raise r.err("bumps.pitch_um", f"pitch {pitch:g} um is below the rules: "
                        f"{dims.min_pitch_why} needs >= {dims.min_pitch_um:g} um")
        x0, y0, x1, y1 = area
        shift = pitch / 2 if stagger else 0.0
        eps = grid_um / 2
        cols = _count(r, t, "columns", x1 - x0 - shift, pitch, eps, die.width_um, die)
        rows = _count(r, t, "rows", y1 - y0, pitch, eps, die.height_um, die)
        if rows * cols > MAX_SITES:
            raise r.err("bumps.pitch_um", f"{rows} x {cols} bump sites at {pitch:g} um pitch: "
                        f"more than the {MAX_SITES:,} a WLCSP build handles")
        sx = die.width_um / 2 - ((cols - 1) * pitch + shift) / 2
        sy = die.height_um / 2 + (rows - 1) * pitch / 2
        all_sites = {}
        for i in range(rows):
            for j in range(cols):
                nm = f"{row_name(i)}{j + 1}"
                x = sx + j * pitch + (shift if i % 2 else 0.0)
                all_sites[nm] = BumpSite(nm, snap_value(x, grid_um),
                                         snap_value(sy - i * pitch, grid_um))
        depop = r.names(t, "bumps", "depopulate")
        for nm in depop:
            if nm not in all_sites:
                raise r.err("bumps.depopulate", f"no site {nm!r} in the {rows} x {cols} array")
        sites = [s for nm, s in all_sites.items() if nm not in set(depop)]
        if not sites:
            raise r.err("bumps.depopulate", "every site is depopulated")
    nets = r.table(t, "bumps", "nets", required=False)
    by_name = {s.name: s for s in sites}
    for nm, net in nets.items():
        if nm not in by_name:
            raise r.err(f"bumps.nets.{nm}", "no populated bump site of that name")
        if not isinstance(net, str) or not net:
            raise r.err(f"bumps.nets.{nm}", f"expected a net name, got {net!r}")
        by_name[nm] = replace(by_name[nm], net=net)
    return Bumps(pitch, rows, cols, stagger, tuple(sorted(depop)),
                 tuple(sorted(by_name.values(), key=lambda s: site_key(s.name))), dims)


def _count(r: Reader, t: dict, name: str, span: float, pitch: float, eps: float,
           die_um: float, die: Die) -> int:
    fit = math.floor((span + eps) / pitch) + 1 if span >= -eps else 0
    v = t.get(name, "auto")
    if v == "auto":
        if fit < 1:
            raise r.err(f"bumps.{name}", "no bump fits between the keep-outs")
        return fit
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise r.err(f"bumps.{name}", f"expected an integer >= 1 or \"auto\", got {v!r}")
    if v > fit:
        raise r.err(f"bumps.{name}", f"bump array larger than the die: {v} {name} at "
                    f"{pitch:g} um need {(v - 1) * pitch:g} um between the outer bump centres; "
                    f"the {die_um:g} um die leaves {max(span, 0):g} um inside its keep-outs "
                    f"({die.bump_margin_um:g} um per side): at most {fit}")
    return v


def _bump_map(r: Reader, items: Any, grid_um: float, dims: BumpDims,
              area: tuple[float, float, float, float]) -> list[BumpSite]:
    import numpy as np

    if not isinstance(items, list) or not items:
        raise r.err("bumps.map", "expected a non-empty list of {name, x_um, y_um, net} tables")
    if len(items) > MAX_SITES:
        raise r.err("bumps.map", f"{len(items):,} bump sites: more than the {MAX_SITES:,} a "
                    "WLCSP build handles")
    sites = []
    x0, y0, x1, y1 = area
    for i, it in enumerate(items):
        key = f"bumps.map[{i}]"
        if not isinstance(it, dict):
            raise r.err(key, f"expected a table, got {it!r}")
        r.keys(key, it, {"name", "x_um", "y_um", "net"})
        nm = r.string(it, key, "name")
        x = r.num(it, key, "x_um", minimum=None)
        y = r.num(it, key, "y_um", minimum=None)
        net = r.string(it, key, "net", default=None)
        if not (x0 - 1e-9 <= x <= x1 + 1e-9 and y0 - 1e-9 <= y <= y1 + 1e-9):
            raise r.err(key, f"bump {nm!r} at ({x:g}, {y:g}) is off the die: bump centres lie "
                        f"inside the keep-out ({x0:g}..{x1:g}, {y0:g}..{y1:g} um)")
        sites.append(BumpSite(nm, snap_value(x, grid_um), snap_value(y, grid_um), net or None))
    names = [s.name for s in sites]
    dup = sorted(n for n, c in Counter(names).items() if c > 1)
    if dup:
        raise r.err("bumps.map", f"duplicate bump name {dup[0]!r}")
    if len(sites) > 1:
        from scipy.spatial import cKDTree

        xy = np.array([(s.x_um, s.y_um) for s in sites])
        d, j = cKDTree(xy).query(xy, k=2)
        i = int(np.argmin(d[:, 1]))
        if d[i, 1] < dims.min_pitch_um - 1e-9:
            other = int(j[i, 1]) if int(j[i, 1]) != i else int(j[i, 0])  # equal points
            a, b = sorted((i, other))
            raise r.err(f"bumps.map[{b}]", f"bumps {names[a]!r} and {names[b]!r} are "
                        f"{d[i, 1]:g} um apart: pitch below the rules ({dims.min_pitch_why} "
                        f"needs >= {dims.min_pitch_um:g} um)")
    return sites


def resolve_assignment(r: Reader, t: dict, pads: list[Pad],
                       bumps: Bumps) -> tuple[str, Mapping[str, str], Bumps]:
    """The [assignment] table, resolved.

    Returns (mode, pad -> bump table sorted by pad, bumps with the nets the table gives them).

    Args:
        r: the design file's reader.
        t: the [assignment] table (empty: automatic).
        pads: the design's pads.
        bumps: the resolved bump sites.
    """
    r.keys("assignment", t, {"mode", "table"})
    mode = r.string(t, "assignment", "mode", default="auto", choices=("auto", "given"))
    table = r.table(t, "assignment", "table", required=False)
    pad_by = {p.name: p for p in pads}
    site_by = {s.name: s for s in bumps.sites}
    depop = set(bumps.depopulated)
    nets = {s.name: s.net for s in bumps.sites}
    for pname, bname in table.items():
        key = f"assignment.table.{pname}"
        if pname not in pad_by:
            raise r.err(key, f"no pad {pname!r}")
        if not isinstance(bname, str):
            raise r.err(key, f"expected a bump name, got {bname!r}")
        if bname not in site_by:
            why = "depopulated" if bname in depop else "no such bump site"
            raise r.err(key, f"bump {bname!r}: {why}")
        net = pad_by[pname].net_name
        if nets[bname] not in (None, net):
            raise r.err(key, f"bump {bname!r} already carries net {nets[bname]!r}, "
                        f"pad {pname!r} is on net {net!r}")
        nets[bname] = net
    bump_nets = {n for n in nets.values() if n}
    if mode == "given":
        for p in pads:
            if p.net_name not in bump_nets:
                raise r.err("assignment.table", f"pad {p.name!r} (net {p.net_name!r}) has no "
                            "bump: a given assignment lists every pad")
    else:
        need = sorted({p.net_name for p in pads} - bump_nets)
        free = sum(1 for n in nets.values() if n is None)
        if len(need) > free:
            raise r.err("bumps", f"{len(need)} pad nets need a bump but only {free} bump sites "
                        "are free")
    sites = tuple(replace(s, net=nets[s.name]) for s in bumps.sites)
    return mode, {k: table[k] for k in sorted(table)}, replace(bumps, sites=sites)
