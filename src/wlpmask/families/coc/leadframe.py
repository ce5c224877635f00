"""The lead frame of one package site: rails, dam bars, leads and lands, heat sinks, ties.

Everything is in the assembly frame (the site seen from above, lower-left corner at the
origin; the package outline centred in it). Leads run from a land under each of chip 1's
second bumps straight out through the package outline and a dam bar to the rail; they are
numbered counter-clockwise from the upper-left corner (left side top to bottom, bottom, right,
top). Each heat sink reaches beyond its chip by a margin, has mould-lock openings in that band
and is held only by its own tie bars, so cutting along the package outline frees it. The
bottom is half-etched on the leads inside their external contacts and on the tie bars; the top
is half-etched over each heat sink (its recess). The two etch plates follow: metal kept on
each side, the wider one grown by half the line-width difference per edge.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import shapely

from ... import geometry as geo
from ...errors import WlpmaskError
from ...fillet import fillet
from .design import CORNERS, CocDesign
from .placement import Placement, package_centre
from .ties import Tie, corner_tie, side_tie, sink_tie

__all__ = ["FramePlan", "Lead", "SinkPlan", "plan_frame"]

Box = tuple[float, float, float, float]
# Sides in lead order (counter-clockwise from the upper-left corner) and the rotation that
# carries the bottom side's local frame onto each.
_SIDES = (("left", 270), ("bottom", 0), ("right", 90), ("top", 180))


@dataclass(frozen=True)
class Lead:
    """One lead: its number, net, the second bump over its land, and its boxes.

    Args:
        number: 1-based.
        net: its net.
        side: the package side it leaves by.
        bump_xy: the second bump's centre (assembly frame).
        land: the land under the bump.
        strip: the lead's metal, from the land to half into the rail.
        marker: the lead from the land to the rail's inner edge (LEAD).
        half: the part half-etched from the bottom (inside its external contact), or None.
    """

    number: int
    net: str
    side: str
    bump_xy: tuple[float, float]
    land: Box
    strip: Box
    marker: Box
    half: Box | None


@dataclass(frozen=True, eq=False)
class SinkPlan:
    """One heat sink: its box, the chip footprint on it, openings, adhesive and ties."""

    name: str
    chip: str
    voltage_v: float
    recess_um: float
    box: Box
    footprint: Box
    adhesive: Box
    holes: tuple[Box, ...]
    ties: tuple[Tie, ...]


@dataclass(frozen=True, eq=False)
class FramePlan:
    """The drawn lead frame (assembly frame, um)."""

    site: Box
    package: Box
    rails: tuple[np.ndarray, ...]
    dams: tuple[Box, ...]
    leads: tuple[Lead, ...]
    sinks: tuple[SinkPlan, ...]
    links: tuple[Tie, ...]
    metal: shapely.Geometry
    half_top: shapely.Geometry
    half_bot: shapely.Geometry
    plate_top: shapely.Geometry
    plate_bot: shapely.Geometry


def _box(pts: np.ndarray) -> Box:
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


def _leads(part: CocDesign, centre) -> tuple[list[Lead], list[Box]]:
    f, ft = part.frame, part.tech.frame
    k = f.leads // 4
    lw, inset = f.lead_width_um, part.second_inset_um
    span = (k - 1) * f.lead_pitch_um
    slot = part.tech.slot_rule.limit
    leads, dams, number = [], [], 0
    for side, rot in _SIDES:
        along_x = side in ("bottom", "top")
        chip_half = (part.chip1.height_um if along_x else part.chip1.width_um) / 2
        side_len = part.chip1.width_um if along_x else part.chip1.height_um
        pack_half = (f.package_um[1] if along_x else f.package_um[0]) / 2
        rail_half = (f.height_um if along_x else f.width_um) / 2 - ft.rail_width_um
        # The outer lands of a row keep a photo-etch slot from the next side's row.
        if span / 2 + lw / 2 + slot > side_len / 2 - inset - lw / 2:
            raise WlpmaskError(f"{k} leads at a {f.lead_pitch_um:g} um pitch do not fit "
                               f"along chip 1's {side_len:g} um side: their lands come within "
                               f"{slot:g} um of the next side's", key="frame.lead_pitch_um")
        turn = Placement(centre, rot)

        def box(x0, y0, x1, y1, turn=turn):
            return _box(turn.apply([(x0, y0), (x1, y1)]))

        v_bump = -(chip_half - inset)
        for i in range(k):
            u = (i - (k - 1) / 2) * f.lead_pitch_um
            number += 1
            inner = v_bump + lw / 2
            contact = -(pack_half - ft.contact_length_um)
            leads.append(Lead(
                number, part.netlist.second[number - 1], side,
                tuple(float(c) for c in turn.apply([(u, v_bump)])[0]),
                box(u - lw / 2, v_bump - lw / 2, u + lw / 2, inner),
                box(u - lw / 2, -(rail_half + ft.rail_width_um / 2), u + lw / 2, inner),
                box(u - lw / 2, -rail_half, u + lw / 2, inner),
                box(u - lw / 2, contact, u + lw / 2, inner) if contact < inner else None))
        reach = span / 2 + lw / 2 + ft.dam_bar_overhang_um
        out = pack_half + ft.dam_bar_gap_um
        dams.append(box(-reach, -(out + ft.dam_bar_width_um), reach, -out))
    return leads, dams


def _auto_ties(sinks: dict[str, Box], package: Box) -> dict[str, list[str]]:
    """Each package corner to the heat sink whose centre is nearest it."""
    out: dict[str, list[str]] = {n: [] for n in sinks}
    for corner in CORNERS:
        cx = package[2] if corner.endswith("right") else package[0]
        cy = package[3] if corner.startswith("upper") else package[1]
        near = min(sinks, key=lambda n: (np.hypot((sinks[n][0] + sinks[n][2]) / 2 - cx,
                                                  (sinks[n][1] + sinks[n][3]) / 2 - cy), n))
        out[near].append(corner)
    for name, corners in out.items():
        if not corners:
            raise WlpmaskError(f"heat sink {name} is nearest to no package corner; give its "
                               "tie bars", key=f"heat_sinks.{name}.ties")
    return out


def _holes(box: Box, chip: Box, margin: float, ft, web_um: float) -> list[Box]:
    hole, pitch = ft.mould_lock_hole_um, ft.mould_lock_pitch_um
    if margin / 2 - hole / 2 < web_um:
        return []
    out = []
    for along_x in (True, False):
        lo, hi = (chip[0], chip[2]) if along_x else (chip[1], chip[3])
        n = int((hi - lo - hole) // pitch) + 1 if hi - lo >= hole else 0
        for j in range(n):
            c = (lo + hi) / 2 + (j - (n - 1) / 2) * pitch
            for edge in ((box[1], 1), (box[3], -1)) if along_x else ((box[0], 1), (box[2], -1)):
                m = edge[0] + edge[1] * margin / 2
                out.append((c - hole / 2, m - hole / 2, c + hole / 2, m + hole / 2) if along_x
                           else (m - hole / 2, c - hole / 2, m + hole / 2, c + hole / 2))
    return out


def _ties(hs, boxes: dict[str, Box], auto: dict[str, list[str]], done: set, *, package: Box,
          centre, rail_inner: Box, rail_um: float, ft, grid_um: float
          ) -> tuple[list[Tie], list[Tie]]:
    """A heat sink's own tie bars, and the bars to other heat sinks not drawn yet."""
    ties, links = [], []
    for tie in hs.ties or auto[hs.name]:
        what = f"{hs.name} {tie}"
        if tie in CORNERS:
            ties.append(corner_tie(boxes[hs.name], tie, package=package, rail_inner=rail_inner,
                                   rail_um=rail_um, width_um=ft.tie_bar_width_um,
                                   gap_um=ft.tie_block_gap_um, grid_um=grid_um, what=what))
        elif tie in boxes:
            pair = tuple(sorted((hs.name, tie)))
            link = None if pair in done else sink_tie(
                boxes[hs.name], boxes[tie], width_um=ft.tie_bar_width_um, grid_um=grid_um,
                what=f"{pair[0]}-{pair[1]}")
            done.add(pair)
            if link is not None:
                links.append(link)
        else:
            ties.append(side_tie(boxes[hs.name], tie, centre=centre, rail_inner=rail_inner,
                                 rail_um=rail_um, width_um=ft.tie_bar_width_um, what=what))
    return ties, links


def _union(polys) -> shapely.Geometry:
    return shapely.union_all([shapely.Polygon(p) if isinstance(p, np.ndarray)
                              else shapely.box(*p) for p in polys])


def plan_frame(part: CocDesign, uppers: dict[str, Placement]) -> FramePlan:
    """Draw the frame site (chip 1 lies over the package's middle, see placement).

    Args:
        part: the design part.
        uppers: upper chip name -> placement (where the heat sinks go).
    """
    f, ct = part.frame, part.tech
    ft, g = ct.frame, ct.grid_um
    centre = package_centre(part)
    site = (0.0, 0.0, f.width_um, f.height_um)
    r = ft.rail_width_um
    rail_inner = (r, r, f.width_um - r, f.height_um - r)
    pw, ph = f.package_um
    package = (centre[0] - pw / 2, centre[1] - ph / 2, centre[0] + pw / 2, centre[1] + ph / 2)
    leads, dams = _leads(part, centre)
    chips = {c.name: c for c in part.uppers}
    boxes, feet = {}, {}
    for hs in part.heat_sinks:
        c, o = chips[hs.chip], uppers[hs.chip].origin_um
        feet[hs.name] = (o[0], o[1], o[0] + c.width_um, o[1] + c.height_um)
        boxes[hs.name] = tuple(geo.snap(np.array(feet[hs.name]) + np.array(
            [-hs.margin_um, -hs.margin_um, hs.margin_um, hs.margin_um]), g).tolist())
    auto = _auto_ties(boxes, package) if any(not hs.ties for hs in part.heat_sinks) else {}
    sinks, links, done = [], [], set()
    for hs in part.heat_sinks:
        try:
            ties, new_links = _ties(hs, boxes, auto, done, package=package, centre=centre,
                                    rail_inner=rail_inner, rail_um=r, ft=ft, grid_um=g)
        except WlpmaskError as exc:
            raise WlpmaskError(exc.message, key=f"heat_sinks.{hs.name}.ties") from None
        links.extend(new_links)
        x0, y0, x1, y1 = feet[hs.name]
        a = ft.adhesive_inset_um
        sinks.append(SinkPlan(hs.name, hs.chip, hs.voltage_v, hs.recess_um, boxes[hs.name],
                              feet[hs.name], (x0 + a, y0 + a, x1 - a, y1 - a), (), tuple(ties)))
    bars = [t.bar for s in sinks for t in s.ties] + [t.bar for t in links]
    bar_geom = _union(bars)
    clear = ct.slot_rule.limit
    # Openings keep a photo-etch slot from every tie bar (known once all are drawn).
    sinks = [replace(s, holes=tuple(
        h for h in _holes(s.box, s.footprint, s.box[2] - s.footprint[2], ft, ct.web_rule.limit)
        if shapely.box(*h).distance(bar_geom) >= clear)) for s in sinks]
    rails = tuple(geo.frame(outer=site, width_um=r))
    solid = _union([*rails, *dams, *(ld.strip for ld in leads), *(s.box for s in sinks),
                    *(p for s in sinks for t in s.ties for p in t.polygons),
                    *(t.bar for t in links)])
    metal = geo.snap_geometry(solid.difference(_union([h for s in sinks for h in s.holes])), g)
    if ct.convex_radius_um > 0 or ct.concave_radius_um > 0:
        # photo-etching rounds corners: draw them as round as the radius rules ask
        metal = fillet(metal, convex_um=ct.convex_radius_um, concave_um=ct.concave_radius_um,
                       grid_um=g)

    def with_fillets(region: shapely.Geometry) -> shapely.Geometry:
        """The region and the metal joined to it within the concave radius.

        The fillets where bars meet it go with it, rather than leave horns on a plate.
        """
        rc = ct.concave_radius_um
        if rc <= 0 or region.is_empty:
            return region
        near = shapely.get_parts(metal.intersection(region.buffer(rc, join_style="mitre")))
        return region.union(shapely.union_all(near[shapely.intersects(near, region)]))

    sink_geom = with_fillets(_union([s.box for s in sinks]))
    # The whole heat sink is recessed; its openings go through anyway.
    half_top = with_fillets(_union([s.box for s in sinks if s.recess_um > 0]))
    blocks = with_fillets(_union([*rails, *(t.polygons[1] for s in sinks for t in s.ties
                                            if len(t.polygons) > 1)]))
    half_bot = metal.intersection(_union([ld.half for ld in leads if ld.half]).union(
        bar_geom.difference(sink_geom).difference(blocks)))
    grow = ct.plate_difference_um / 2
    # slivers where a half-etch outline runs along the metal's edge are dropped (a growth
    # of the plate would turn them into strips)
    top, bot = (shapely.buffer(shapely.buffer(metal.difference(h), -g, join_style="mitre"), g,
                               join_style="mitre") for h in (half_top, half_bot))
    top, bot = geo.snap_geometry(top, g), geo.snap_geometry(bot, g)
    half_bot = geo.snap_geometry(metal.difference(bot), g)  # exactly what the plate etches
    if grow > 0:  # the wider plate, grown and snapped again
        if ct.wider_plate == "top":
            top = geo.snap_geometry(top.buffer(grow, join_style="mitre"), g)
        else:
            bot = geo.snap_geometry(bot.buffer(grow, join_style="mitre"), g)
    return FramePlan(site, package, rails, tuple(dams), tuple(leads), tuple(sinks),
                     tuple(links), metal, half_top, half_bot, top, bot)
