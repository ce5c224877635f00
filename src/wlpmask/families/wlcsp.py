"""Wafer-level chip-scale package with elastic bumps (DOMAIN.md 1A): dimensions, cells, assembly.

Every dimension comes from the technology's rules or the design file: PI1 openings inside the
bond pads, RDL landings around them, round capture pads (base regions) with their PI2 openings,
fill cylinders, balls, optional UBM and stencil apertures, the die frame, and teardrops where
the router's traces leave a capture pad. A bump is one cell placed by (array) reference; pads
of one size share a cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gdstk
import numpy as np
import shapely

from .. import geometry as geo
from ..cells import CellCache, add_array, cell_name, polygon
from ..errors import WlpmaskError
from ..tech import Technology

if TYPE_CHECKING:  # pragma: no cover
    from ..design import Design
    from ..io.pads import Pad

# Layer roles of the family; a design may map each to a technology layer name.
ROLES = ("DIE", "SEAL", "DICING", "PAD", "PI1", "RDL", "PI2", "FILL", "BALL", "UBM", "STENCIL")
OPTIONAL_ROLES = ("UBM", "STENCIL")
# The teardrop meets the capture pad at this fraction of the pad diameter (Deca, DOMAIN.md 2).
TEARDROP_WIDTH_RATIO = 0.9
# Teardrop lengths tried, beyond the pad edge, as fractions of the pad radius; the first that
# keeps the spacing to other nets is drawn.
TEARDROP_REACH = (0.5, 0.35, 0.2)


@dataclass(frozen=True)
class FamilyRules:
    """The rule values (um) the family derives its dimensions from; names say the relation."""

    grid_um: float
    pad_encloses_pi1_um: float
    rdl_encloses_pi1_um: float
    rdl_width_um: float
    rdl_space_um: float
    pi2_width_um: float
    rdl_encloses_pi2_um: float
    rdl_to_seal_um: float
    ubm_width_um: float | None
    ubm_encloses_pi2_um: float | None


def find_rule(tech: Technology, kind: str, layers: Sequence[str]) -> float | None:
    """The largest limit of the technology's rules of a kind on these layers (None: no rule).

    Separation rules match in either layer order.
    """
    want = tuple(layers)
    vals = [r.limit for r in tech.rules.values() if r.kind == kind and (
        r.layers == want or (kind == "separation" and r.layers == want[::-1]))]
    return max(vals) if vals else None


def _require(tech: Technology, kind: str, layers: Sequence[str]) -> float:
    v = find_rule(tech, kind, layers)
    if v is None:
        raise WlpmaskError(f"the wlcsp family needs a {kind} rule on {' / '.join(layers)}",
                           file=tech.source, key="rules")
    return v


def family_rules(tech: Technology, layers: Mapping[str, str], *, ubm: bool) -> FamilyRules:
    """Read the rules the family needs from the technology.

    Args:
        tech: the technology.
        layers: family role -> technology layer name.
        ubm: whether UBM rules are needed.
    """
    L = layers  # noqa: N806 - short alias for the role map
    return FamilyRules(
        grid_um=tech.grid_um,
        pad_encloses_pi1_um=_require(tech, "enclosure", (L["PAD"], L["PI1"])),
        rdl_encloses_pi1_um=_require(tech, "enclosure", (L["RDL"], L["PI1"])),
        rdl_width_um=_require(tech, "width", (L["RDL"],)),
        rdl_space_um=_require(tech, "space", (L["RDL"],)),
        pi2_width_um=_require(tech, "width", (L["PI2"],)),
        rdl_encloses_pi2_um=_require(tech, "enclosure", (L["RDL"], L["PI2"])),
        rdl_to_seal_um=find_rule(tech, "separation", (L["RDL"], L["SEAL"])) or 0.0,
        ubm_width_um=_require(tech, "width", (L["UBM"],)) if ubm else None,
        ubm_encloses_pi2_um=_require(tech, "enclosure", (L["UBM"], L["PI2"])) if ubm else None,
    )


@dataclass(frozen=True)
class BumpDims:
    """Derived diameters (um, across flats) of one bump site and the smallest legal pitch."""

    shape: str
    opening_um: float
    capture_um: float
    ubm_um: float | None
    stencil_um: float | None
    ball_um: float
    min_pitch_um: float
    min_pitch_why: str


def bump_dims(rules: FamilyRules, *, opening_um: float | None, shape: str, ball_um: float,
              ubm: bool, stencil: bool, stencil_aperture_um: float | None,
              rdl_space_um: float) -> BumpDims:
    """Diameters of the PI2 opening, capture pad, UBM and stencil aperture, and the min pitch.

    Args:
        rules: the family rules.
        opening_um: PI2 opening diameter; None: the PI2 min width rule.
        shape: "octagon" or "circle".
        ball_um: ball diameter.
        ubm: draw a UBM.
        stencil: draw stencil apertures.
        stencil_aperture_um: aperture diameter; None: the PI2 opening.
        rdl_space_um: RDL spacing used between capture pads.
    """
    g = rules.grid_um
    slack = geo.ROUND_SLACK_GRIDS * g
    opening = geo.ceil_value(opening_um if opening_um is not None else rules.pi2_width_um, g)
    capture = geo.ceil_value(opening + 2 * (rules.rdl_encloses_pi2_um + slack), g)
    ubm_d = None
    if ubm:
        ubm_d = geo.ceil_value(max(rules.ubm_width_um,
                                   opening + 2 * (rules.ubm_encloses_pi2_um + slack)), g)
    st = None
    if stencil:
        st = geo.ceil_value(stencil_aperture_um if stencil_aperture_um else opening, g)
    # Round shapes may be up to `slack` larger per side than nominal.
    by_capture = capture + 2 * slack + rdl_space_um
    by_ball = ball_um + g  # balls must not touch
    if by_capture >= by_ball:
        pitch, why = by_capture, (f"capture pad {capture:g} um + RDL space {rdl_space_um:g} um")
    else:
        pitch, why = by_ball, f"ball {ball_um:g} um (balls must not touch)"
    return BumpDims(shape, opening, capture, ubm_d, st, ball_um, geo.ceil_value(pitch, g), why)


# ------------------------------------------------------------------------------------ cells

def pad_shapes(pad: Pad, rules: FamilyRules) -> dict[str, np.ndarray]:
    """PAD, PI1 opening and RDL landing of a pad, relative to the pad centre (um).

    Rectangular pads give exact rectangles; other outlines are offset with mitred corners.
    """
    g = rules.grid_um
    e1, e2 = rules.pad_encloses_pi1_um, rules.rdl_encloses_pi1_um
    if pad.outline is None:
        w, h = pad.w_um, pad.h_um
        return {
            "PAD": geo.rect(width_um=w, height_um=h),
            "PI1": geo.rect(width_um=w - 2 * e1, height_um=h - 2 * e1),
            "RDL": geo.rect(width_um=w - 2 * e1 + 2 * e2, height_um=h - 2 * e1 + 2 * e2),
        }
    rel = np.array(pad.outline) - (pad.x_um, pad.y_um)
    outline = shapely.Polygon(rel)
    # Offsetting a snapped outline can lose up to a grid step; keep the margin on the safe side.
    opening = outline.buffer(-(e1 + g), join_style="mitre")
    if opening.is_empty or opening.geom_type != "Polygon":
        raise WlpmaskError(f"pad {pad.name!r} leaves no single PI1 opening inside "
                           f"a {e1:g} um enclosure", key=pad.name)
    landing = opening.buffer(e2 + g, join_style="mitre")
    return {
        "PAD": rel,
        "PI1": np.array(shapely.geometry.polygon.orient(opening).exterior.coords[:-1]),
        "RDL": np.array(shapely.geometry.polygon.orient(landing).exterior.coords[:-1]),
    }


def _pad_cell(design: Design, pad: Pad, cache: CellCache) -> gdstk.Cell:
    shapes = pad_shapes(pad, design.rules)
    if pad.outline is None:
        params: dict[str, Any] = {"w_um": pad.w_um, "h_um": pad.h_um}
    else:
        params = {"outline": [tuple(p) for p in shapes["PAD"].round(6)]}

    def build(**_: Any) -> gdstk.Cell:
        cell = gdstk.Cell("pad")
        for role in ("PAD", "PI1", "RDL"):
            cell.add(polygon(shapes[role], design.gds(role), grid_um=design.tech.grid_um))
        return cell

    return cache.cell("pad", build, **params)


def bump_shapes(dims: BumpDims, *, grid_um: float) -> dict[str, np.ndarray]:
    """Shapes of one bump site centred at the origin, by layer role (um)."""
    def rp(d: float) -> np.ndarray:
        return geo.round_pad(diameter_um=d, shape=dims.shape, grid_um=grid_um)

    out = {"RDL": rp(dims.capture_um), "PI2": rp(dims.opening_um), "FILL": rp(dims.opening_um),
           # The ball outline is drawn as a fine polygon: it is a marker, not a mask shape.
           "BALL": geo.regular_polygon(diameter_um=dims.ball_um, vertices=64, grid_um=grid_um)}
    if dims.ubm_um:
        out["UBM"] = rp(dims.ubm_um)
    if dims.stencil_um:
        out["STENCIL"] = rp(dims.stencil_um)
    return out


def _bump_cell(design: Design, cache: CellCache) -> gdstk.Cell:
    dims = design.bumps.dims
    shapes = bump_shapes(dims, grid_um=design.tech.grid_um)

    def build(**_: Any) -> gdstk.Cell:
        cell = gdstk.Cell("bump")
        for role, pts in shapes.items():
            cell.add(polygon(pts, design.gds(role), grid_um=design.tech.grid_um))
        return cell

    return cache.cell("bump", build, shape=dims.shape, open_um=dims.opening_um,
                      cap_um=dims.capture_um, ball_um=dims.ball_um, ubm_um=dims.ubm_um or 0.0,
                      sten_um=dims.stencil_um or 0.0)


def frame_shapes(design: Design) -> dict[str, list[np.ndarray]]:
    """Die boundary, half dicing lane and seal ring (four rectangles per band), in um."""
    die = design.die
    w, h = die.width_um, die.height_um
    out: dict[str, list[np.ndarray]] = {"DIE": [geo.box(0, 0, w, h)], "DICING": [], "SEAL": []}
    if die.dicing_lane_um > 0:
        out["DICING"] = geo.frame(outer=(0, 0, w, h), width_um=die.seal_outer_um)
    if die.seal_ring_um > 0:
        out["SEAL"] = geo.frame(outer=die.inset(die.seal_outer_um), width_um=die.seal_ring_um)
    return out


def _frame_cell(design: Design, cache: CellCache) -> gdstk.Cell:
    die = design.die

    def build(**_: Any) -> gdstk.Cell:
        cell = gdstk.Cell("frame")
        for role, polys in frame_shapes(design).items():
            for pts in polys:
                cell.add(polygon(pts, design.gds(role), grid_um=design.tech.grid_um))
        return cell

    return cache.cell("frame", build, w_um=die.width_um, h_um=die.height_um,
                      lane_um=die.dicing_lane_um, seal_um=die.seal_ring_um)


# ------------------------------------------------------------------------------ the router's view

@dataclass(frozen=True)
class TerminalSpec:
    """A routing terminal: a pad's RDL landing or a bump's capture pad, in the die frame."""

    name: str
    kind: str
    shape: shapely.Polygon
    net: str | None
    center: tuple[float, float]


def terminals(design: Design) -> list[TerminalSpec]:
    """Every pad landing and every bump capture pad as a routing terminal, sorted by name."""
    out = []
    for pad in design.pads:
        landing = pad_shapes(pad, design.rules)["RDL"] + (pad.x_um, pad.y_um)
        out.append(TerminalSpec(pad.name, "pad", shapely.Polygon(landing), pad.net_name,
                                (pad.x_um, pad.y_um)))
    cap = bump_shapes(design.bumps.dims, grid_um=design.tech.grid_um)["RDL"]
    for s in design.bumps.sites:
        out.append(TerminalSpec(s.name, "bump", shapely.Polygon(cap + (s.x_um, s.y_um)), s.net,
                                (s.x_um, s.y_um)))
    return out


def routing_boundary(design: Design) -> shapely.Polygon:
    """Where RDL may lie: inside the seal ring by the RDL-to-seal rule (plus one grid step)."""
    d = design.die.seal_inner_um + design.rules.rdl_to_seal_um + design.tech.grid_um
    return shapely.box(*design.die.inset(d))


# ----------------------------------------------------------------------------------- teardrops

def teardrops(*, terminals: Sequence[TerminalSpec], nets: Mapping[str, Any],
              bump_nets: Mapping[str, str | None], design: Design) -> list[tuple[str, np.ndarray]]:
    """Teardrops where a routed trace leaves a capture pad, each kept only where it holds the
    RDL spacing to every other net.

    Args:
        terminals: all routing terminals.
        nets: routed nets: net name -> object with ``centerlines`` (polylines, um) and
            ``metal`` (shapely geometry without the terminals).
        bump_nets: bump name -> net after assignment.
        design: the design (RDL width and space, capture pad size, grid).

    Returns:
        (net, polygon) pairs, sorted by bump name and direction.
    """
    g = design.tech.grid_um
    w, s = design.rdl.width_um, design.rdl.space_um
    d = design.bumps.dims.capture_um
    r = d / 2
    # Everything on RDL with its net, for the spacing test of each candidate.
    items: list[shapely.Geometry] = []
    owners: list[str] = []
    for t in terminals:
        items.append(t.shape)
        owners.append((bump_nets.get(t.name) if t.kind == "bump" else t.net) or f"#{t.name}")
    for net in sorted(nets):
        for part in _parts(nets[net].metal):
            items.append(part)
            owners.append(net)
    tree = shapely.STRtree(items)
    boundary = routing_boundary(design)
    placed: list[tuple[str, shapely.Polygon]] = []
    out: list[tuple[str, np.ndarray]] = []
    for t in terminals:
        net = bump_nets.get(t.name) if t.kind == "bump" else None
        if net is None or net not in nets:
            continue
        c = np.array(t.center)
        for line in _polylines(nets[net].centerlines):
            leave = _leaving(line, t.shape, c)
            if leave is None:
                continue
            u, start, straight, offset = leave
            if abs(offset) + w / 2 > TEARDROP_WIDTH_RATIO * r:
                continue
            for reach in TEARDROP_REACH:
                # End the fillet a space and half a width before the centre-line turns: the
                # next segment's metal reaches that far, and a fillet closer to it would leave
                # a notch narrower than the space.
                length = min(r + reach * r, start + straight - w / 2 - s)
                if length - start < w:
                    break
                pts = geo.teardrop(center=c, direction=u, pad_diameter_um=d, trace_width_um=w,
                                   length_um=length, offset_um=offset,
                                   width_ratio=TEARDROP_WIDTH_RATIO, grid_um=g)
                cand = shapely.Polygon(pts)
                if _clear(cand, net, tree, items, owners, placed, s + 2 * g, boundary):
                    placed.append((net, cand))
                    out.append((net, pts))
                    break
    return out


def _parts(geom: Any) -> list[shapely.Polygon]:
    if geom is None or geom.is_empty:
        return []
    return [p for p in getattr(geom, "geoms", [geom]) if p.geom_type == "Polygon"]


def _polylines(centerlines: Any) -> Iterable[np.ndarray]:
    if centerlines is None:
        return []
    if hasattr(centerlines, "geoms"):
        centerlines = list(centerlines.geoms)
    elif hasattr(centerlines, "coords"):
        centerlines = [centerlines]
    return [np.asarray(getattr(line, "coords", line), dtype=float) for line in centerlines]


def _leaving(line: np.ndarray, pad: shapely.Polygon, c: np.ndarray):
    """(direction, distance of the exit from the centre, straight run beyond it, lateral
    offset) of the centre-line where it leaves the pad; None if it does not start inside."""
    if len(line) < 2:
        return None
    if np.hypot(*(line[-1] - c)) < np.hypot(*(line[0] - c)):
        line = line[::-1]
    if not pad.covers(shapely.Point(line[0])):
        return None
    for a, b in zip(line[:-1], line[1:], strict=False):
        if pad.covers(shapely.Point(b)):
            continue
        seg = b - a
        n = np.hypot(*seg)
        if n == 0:
            return None
        u = seg / n
        cross = pad.exterior.intersection(shapely.LineString([a, b]))
        if cross.is_empty:
            return None
        e = np.array(shapely.get_coordinates(cross)[-1])
        nrm = np.array((-u[1], u[0]))
        return u, float(np.dot(e - c, u)), float(np.hypot(*(b - e))), float(np.dot(e - c, nrm))
    return None


def _clear(cand: shapely.Polygon, net: str, tree: shapely.STRtree, items, owners, placed,
           space: float, boundary: shapely.Polygon) -> bool:
    if not boundary.covers(cand):
        return False
    for i in tree.query(cand, predicate="dwithin", distance=space):
        if owners[i] != net:
            return False
    return all(other == net or cand.distance(p) >= space for other, p in placed)


# -------------------------------------------------------------------------- same-net notches

# Segments per quarter circle of the closing: a convex corner comes back at most
# r (1 - cos(pi / 4n)) off its place (24 nm for r = 5 um), as a blunt bump on the outline.
_CLOSING_SEGMENTS = 8


def fill_notches(*, net_metal: Mapping[str, Sequence[Any]], net_terminals: Mapping[str, Any],
                 space_um: float, grid_um: float) -> list[shapely.Geometry]:
    """Fill the notches narrower than the RDL space that a net's wires leave against its own
    terminals (a wire turning beside its capture pad): a morphological closing by half the
    space of each net's metal together with its terminals.

    The added area lies inside pockets of the net's own outline that are narrower than the
    space, where no other net can be; the DRC that follows checks the result.

    Args:
        net_metal: net -> its wire and teardrop geometry (shapely or (N, 2) arrays), um.
        net_terminals: net -> union of its terminal shapes, um.
        space_um: the RDL space.
        grid_um: the manufacturing grid.

    Returns:
        One geometry per net (wires, teardrops, fills and its terminals), sorted by net.
    """
    out = []
    r = space_um / 2.0
    for net in sorted(net_metal):
        parts = [shapely.Polygon(g) if isinstance(g, np.ndarray) else g
                 for g in net_metal[net]]
        term = net_terminals.get(net)
        body = shapely.union_all([*parts, *([term] if term is not None else [])])
        closed = body.buffer(r, quad_segs=_CLOSING_SEGMENTS).buffer(
            -r, quad_segs=_CLOSING_SEGMENTS)
        # The terminals stay in: cut out again, the off-grid points where wires cross their
        # outlines would leave slivers after snapping.
        closed = shapely.set_precision(shapely.union_all([closed, body]), grid_um)
        out.append(closed)
    return out


# ------------------------------------------------------------------------------------ assembly

def _shapes_to_polygons(geoms: Iterable[np.ndarray | shapely.Geometry], gds: tuple[int, int],
                        grid_um: float) -> list[gdstk.Polygon]:
    out = []
    for gm in geoms:
        if isinstance(gm, np.ndarray):
            out.append(polygon(gm, gds, grid_um=grid_um))
            continue
        for part in _parts(gm):
            ext = np.array(part.exterior.coords[:-1])
            if not part.interiors:
                out.append(polygon(ext, gds, grid_um=grid_um))
                continue
            # GDS has no holes: let gdstk cut the polygon into hole-free pieces.
            holes = [np.array(h.coords[:-1]) for h in part.interiors]
            for piece in gdstk.boolean(ext, holes, "not"):
                out.append(polygon(piece.points, gds, grid_um=grid_um))
    return out


def bump_runs(sites: Sequence[tuple[float, float]], pitch_um: float | None,
              grid_um: float) -> list[tuple[float, float, int, int, float, float]]:
    """Group bump centres into array references.

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


def assemble(design: Design, *, rdl: Sequence[np.ndarray | shapely.Geometry] = ()) -> gdstk.Cell:
    """The top cell: frame, pad cells, bump arrays and a cell with the RDL traces.

    Args:
        design: the validated design.
        rdl: trace and teardrop polygons (numpy arrays or shapely geometry) in the die frame.

    Returns:
        The top cell named after the design; every cell below it is reachable through it.
    """
    cache = CellCache()
    top = gdstk.Cell(design.name)
    top.add(gdstk.Reference(_frame_cell(design, cache), (0.0, 0.0)))
    for pad in sorted(design.pads, key=lambda p: p.name):
        cell = _pad_cell(design, pad, cache)
        top.add(gdstk.Reference(cell, (pad.x_um, pad.y_um)))
    bump = _bump_cell(design, cache)
    for x0, y0, cols, rows, px, py in bump_runs(
            [(s.x_um, s.y_um) for s in design.bumps.sites], design.bumps.pitch_um,
            design.tech.grid_um):
        add_array(top, bump, columns=cols, rows=rows, pitch_x_um=px, pitch_y_um=py,
                  origin=(x0, y0))
    polys = _shapes_to_polygons(rdl, design.gds("RDL"), design.tech.grid_um)
    if polys:
        routes = gdstk.Cell(cell_name(f"{design.name}_rdl"))
        routes.add(*polys)
        top.add(gdstk.Reference(routes, (0.0, 0.0)))
    return top


def placed_cells(top: gdstk.Cell) -> list[gdstk.Cell]:
    """Top cell and every cell under it, sorted by name."""
    return sorted([top, *[c for c in top.dependencies(True) if isinstance(c, gdstk.Cell)]],
                  key=lambda c: c.name)

