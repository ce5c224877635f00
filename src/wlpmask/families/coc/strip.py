"""A strip of lead-frame sites: the site stepped in columns and rows between two side rails.

Sites abut, so their rails join into the strip's cross rails. The site's outer corners, round
when it stands alone, are square in the strip: the next site or a side rail continues each of
its outer edges, and a rounded corner there would leave a notch. The strip's own four corners
are rounded instead. Each side rail has a pilot hole per column, centred on the column, by
which the assembly line indexes the strip; a hole is drawn round with its vertices outside the
circle (never smaller than drawn). The strip's plates are the site's plates stepped the same
way with the side rails (on the wider plate grown like the rest of it); the bottom plate is
then mirrored about the strip's vertical centre line (cells.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import shapely

from ... import geometry as geo
from ...errors import WlpmaskError
from ...fillet import fillet
from .design import CocDesign, StripSpec
from .leadframe import FramePlan

__all__ = ["StripPlan", "plan_strip", "sample_strip"]

Box = tuple[float, float, float, float]


@dataclass(frozen=True, eq=False)
class StripPlan:
    """The drawn strip (strip frame: its lower-left corner at the origin, um).

    Args:
        spec: the design's strip.
        pitch: the step between sites (the site's size).
        size: the strip's width and height.
        origin: the lower-left corner of the first site.
        holes: the pilot holes' centres.
        rails: the side rails (holes cut, the strip's corners rounded).
        site_metal: the site's metal with square outer corners.
        site_plates: side ("top", "bottom") -> the site's plate, square outer corners.
        rail_plates: side -> the side rails on that plate.
    """

    spec: StripSpec
    pitch: tuple[float, float]
    size: tuple[float, float]
    origin: tuple[float, float]
    holes: tuple[tuple[float, float], ...]
    rails: shapely.Geometry
    site_metal: shapely.Geometry
    site_plates: dict[str, shapely.Geometry]
    rail_plates: dict[str, shapely.Geometry]

    def site_origins(self) -> list[tuple[float, float]]:
        """The lower-left corner of every site, column by column."""
        (w, h), (x0, y0) = self.pitch, self.origin
        return [(x0 + i * w, y0 + j * h) for i in range(self.spec.columns)
                for j in range(self.spec.rows)]


def _corners(site: Box, side: float, grow: float) -> shapely.Geometry:
    """Squares at the four corners of a site box: side inward, grow outward."""
    x0, y0, x1, y1 = site
    return shapely.union_all([
        shapely.box(x0 - grow, y0 - grow, x0 + side, y0 + side),
        shapely.box(x1 - side, y0 - grow, x1 + grow, y0 + side),
        shapely.box(x0 - grow, y1 - side, x0 + side, y1 + grow),
        shapely.box(x1 - side, y1 - side, x1 + grow, y1 + grow)])


def _rails(part: CocDesign, spec: StripSpec) -> dict:
    """What depends on the strip's size: its size, pilot holes, side rails and their plates."""
    ct, g = part.tech, part.tech.grid_um
    w, h = part.frame.width_um, part.frame.height_um
    s, p = spec.side_rail_um, spec.pilot_hole_um
    width, height = spec.columns * w, spec.rows * h + 2 * s
    outline = fillet(shapely.box(0.0, 0.0, width, height), convex_um=ct.convex_radius_um,
                     concave_um=0.0, grid_um=g)
    holes = tuple((round((i + 0.5) * w, 6), y) for y in (s / 2, height - s / 2)
                  for i in range(spec.columns))
    discs = shapely.union_all([fillet(shapely.box(x - p / 2, y - p / 2, x + p / 2, y + p / 2),
                                      convex_um=p / 2, concave_um=0.0, grid_um=g)
                               for x, y in holes])
    if discs.is_empty:  # never drop what the design asks for
        raise WlpmaskError(f"a {p:g} um pilot hole vanishes on the {g:g} um grid",
                           key="frame.strip.pilot_hole_um")
    bands = shapely.union_all([shapely.box(0.0, 0.0, width, s),
                               shapely.box(0.0, height - s, width, height)])
    rails = geo.snap_geometry(outline.intersection(bands).difference(discs), g)
    grow = _growth(part)
    return {"spec": spec, "size": (width, height), "origin": (0.0, s), "holes": holes,
            "rails": rails,
            "rail_plates": {k: geo.snap_geometry(rails.buffer(v, join_style="mitre"), g)
                            if v > 0 else rails for k, v in grow.items()}}


def _growth(part: CocDesign) -> dict[str, float]:
    """Per plate side, how far each edge of it is grown (the wider plate's half difference)."""
    ct = part.tech
    return {side: ct.plate_difference_um / 2 if ct.wider_plate == side else 0.0
            for side in ("top", "bottom")}


def plan_strip(part: CocDesign, frame: FramePlan) -> StripPlan | None:
    """The strip of the design's frame site, or None when the design asks for one site.

    Args:
        part: the design part.
        frame: the drawn site.
    """
    spec = part.frame.strip
    if spec is None:
        return None
    ct, g = part.tech, part.tech.grid_um
    # the site's outer corners square again (the rounding lies within the rail)
    side = min(ct.convex_radius_um, ct.frame.rail_width_um)
    metal = geo.snap_geometry(frame.metal.union(_corners(frame.site, side, 0.0)), g)
    plates = {"top": frame.plate_top, "bottom": frame.plate_bot}
    grow = _growth(part)
    site_plates = {k: geo.snap_geometry(v.union(_corners(frame.site, side, grow[k])), g)
                   for k, v in plates.items()}
    return StripPlan(pitch=(part.frame.width_um, part.frame.height_um), site_metal=metal,
                     site_plates=site_plates, **_rails(part, spec))


def sample_strip(part: CocDesign, sp: StripPlan, reach_um: float) -> StripPlan:
    """The strip of at most 3 x 3 of the same sites: every neighbourhood of the full strip.

    The strip repeats by its site pitch, so every window narrower than half a pitch around
    any point of it, at its ends or between two sites, appears in the strip of three columns
    and three rows (or fewer, when the strip has fewer); a check whose reach is below that
    finds there what it finds in the full strip. When it reaches further, the full strip.
    Only what depends on the strip's size is drawn again; the site is the full strip's.

    Args:
        part: the design part.
        sp: the full strip.
        reach_um: how far the checks to run see from a point.
    """
    if 2 * reach_um >= min(sp.pitch):
        return sp
    spec = sp.spec
    small = replace(spec, columns=min(spec.columns, 3), rows=min(spec.rows, 3))
    return replace(sp, **_rails(part, small))
