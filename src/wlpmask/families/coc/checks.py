"""Process checks of the chip-on-chip package on the drawn layout (DOMAIN.md 1C, 6, 7, 11).

They read the flattened assembly and the texts the cells carry, never the generator's lists:
the upper chips' placed bumps against chip 1's first bumps (XOR and nets); each upper chip
inside chip 1, clear of the second bumps and on its heat sink with the adhesive margin; each
second bump on the land of a lead of its net; heat sinks and leads isolated once the frame is
cut along the package outline; the frame's narrowest web and slot against the photo-etch rules
(multiples of the frame thickness). The checks of the stack follow (stack.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import gdstk
import numpy as np
import shapely

from ... import geometry as geo
from ...checks import Box, ProcessCheck, check
from ...drc import run_drc, space_pairs, width_pairs
from ...drc.hier import influence_um
from ...drc.kinds import metric_of
from ...io.gds import flatten_gds_layer
from ...tech import Layer, Rule, Technology
from .cells import ASSEMBLY, strip_cell
from .isolation import pieces, shorts
from .mirror import MAX_PLACES, net_mismatches, texts, xor_area
from .plan import CocPart
from .stack import stack_checks
from .strip import sample_strip

__all__ = ["run_checks", "strip_sample"]

# How far the photo-etch probes look past a rule's limit to find the narrowest web or slot:
# the first probe that finds any pair holds the narrowest, and a frame drawn near its limits
# (leads at the web rule) is settled by the first, short one; a rounded frame has many arc
# chords within a long probe.
_PROBES = (1.5, 2.5, 4, 16, 64)


def _assembly(top: gdstk.Cell) -> gdstk.Cell:
    for c in [top, *top.dependencies(True)]:
        if isinstance(c, gdstk.Cell) and c.name == ASSEMBLY:
            return c
    raise ValueError(f"no {ASSEMBLY} cell under {top.name}")


def _placed(asm: gdstk.Cell, cell_name: str, layer: Layer) -> list[shapely.Polygon]:
    """A chip's polygons on one layer, carried through its reference in the assembly."""
    out = []
    for ref in asm.references:
        if ref.cell.name == cell_name:
            out += [shapely.Polygon(p.points)
                    for p in ref.get_polygons(layer=layer.gds[0], datatype=layer.gds[1])]
    return out


def _inside(outer: shapely.Geometry, inner: shapely.Geometry) -> float:
    """How far inner keeps inside outer (< 0: how far it sticks out)."""
    if outer.contains(inner):
        return float(shapely.boundary(outer).distance(inner))
    return -max(outer.distance(shapely.Point(v)) for v in inner.exterior.coords)


def _box(g: shapely.Geometry) -> Box:
    return tuple(float(v) for v in g.bounds)


def _named(polys: Sequence[np.ndarray], marks: Mapping[tuple[int, int], str],
           grid_um: float) -> dict[str, shapely.Polygon]:
    """Polygons by the text inside each (e.g. heat sinks by name)."""
    shapes = [shapely.Polygon(p) for p in polys]
    tree = shapely.STRtree(shapes) if shapes else None
    out = {}
    for (x, y), name in marks.items():
        hit = tree.query(shapely.Point(x * grid_um, y * grid_um), predicate="intersects") \
            if tree is not None else []
        if len(hit):
            out[name] = shapes[int(min(hit))]
    return out


def _chip_checks(cp: CocPart, asm: gdstk.Cell, shapes, g: float) -> list[ProcessCheck]:
    d, L = cp.design, cp.design.layers  # noqa: N806 - role map
    chip1 = shapely.union_all(_placed(asm, f"{d.name}_{d.chip1.name}", L.CHIP))
    bumps2 = [shapely.Polygon(p) for p in shapes[L.BUMP2.name]]
    tree = shapely.STRtree(bumps2) if bumps2 else None
    sinks = _named(shapes[L.HEATSINK.name], texts(asm, L.HEATSINK.gds, g).as_dict(), g)
    on_sink = {hs.chip: hs.name for hs in d.heat_sinks}
    size, clear, glue = [], [], []
    for chip in d.uppers:
        outline = shapely.union_all(_placed(asm, f"{d.name}_{chip.name}", L.CHIP))
        size.append((_inside(chip1, outline), _box(outline)))
        if tree is not None:
            near = bumps2[int(tree.nearest(outline))]
            clear.append((float(outline.distance(near)), _box(near)))
        sink = sinks.get(on_sink[chip.name])
        glue.append((_inside(sink, outline) if sink is not None else None, _box(outline)))
    ct = d.tech

    def worst(items, limit):
        vals = [v for v, _ in items]
        m = None if not vals or None in vals else min(vals)
        bad = [b for v, b in items if v is None or v < limit - 1e-9]
        return m, bad

    out = []
    m, bad = worst(size, 0.0)
    out.append(check("PROC.CHIP_SIZE", "upper chips inside chip 1 (smaller, and over it)", ">=",
                     0.0, m, "um", "design upper.*.place_um", (L.CHIP.name,), bad))
    m, bad = worst(clear, ct.upper_to_second_min_um)
    out.append(check("PROC.CHIP_CLEARANCE", "upper chip edge to the nearest second bump",
                     ">=", ct.upper_to_second_min_um, m, "um",
                     "process.upper_chip_to_second_bump_min_um", (L.CHIP.name, L.BUMP2.name),
                     bad))
    lim = ct.adhesive_rule.limit
    m, bad = worst(glue, lim)
    out.append(check("PROC.CHIP_ON_HEAT_SINK", "upper chip's back inside its heat sink by the "
                     "adhesive keep-out", ">=", lim, m, "um", f'rules."{ct.adhesive_rule.id}"',
                     (L.CHIP.name, L.HEATSINK.name), bad))
    return out


def _land_check(cp: CocPart, asm: gdstk.Cell, shapes, g: float) -> ProcessCheck:
    d, L = cp.design, cp.design.layers  # noqa: N806 - role map
    lands = _named(shapes[L.LAND.name], texts(asm, L.LEAD.gds, g).as_dict(), g)
    lead_net = {f"L{i + 1}": net for i, net in enumerate(d.netlist.second)}
    land_list = list(lands.items())
    tree = shapely.STRtree([p for _, p in land_list]) if land_list else None
    nets = texts(asm, L.BUMP2.gds, g).as_dict()
    worst: float | None = None
    missing, bad, detail = False, [], ""
    for p in shapes[L.BUMP2.name]:
        bump = shapely.Polygon(p)
        c = bump.centroid
        net = nets.get((round(c.x / g), round(c.y / g)))
        hits = tree.query(c, predicate="intersects") if tree is not None else []
        own = [land_list[int(i)] for i in hits if lead_net[land_list[int(i)][0]] == net]
        if not own:
            missing = True
            bad.append(_box(bump))
            detail = detail or (f"second bump of net {net} at ({c.x:g}, {c.y:g}) is on no land "
                                f"of a lead of its net")
            continue
        e = _inside(own[0][1], bump)
        worst = e if worst is None else min(worst, e)
        if e < d.tech.land_rule.limit - 1e-9:
            bad.append(_box(bump))
    return check("PROC.SECOND_ON_LAND", "second bump on the land of a lead of its net, with "
                 "enclosure", ">=", d.tech.land_rule.limit, None if missing else worst, "um",
                 f'rules."{d.tech.land_rule.id}"', (L.LAND.name, L.BUMP2.name), bad, detail)


def _isolation_checks(cp: CocPart, asm: gdstk.Cell, shapes, g: float) -> list[ProcessCheck]:
    d, L = cp.design, cp.design.layers  # noqa: N806 - role map
    parts = pieces(shapes[L.FRAME.name], shapes[L.PACKAGE.name])
    marks = {name: (x * g, y * g) for layer in (L.HEATSINK, L.LEAD)
             for (x, y), name in texts(asm, layer.gds, g).as_dict().items()}
    found = shorts(parts, marks, voltages={hs.name: hs.voltage_v for hs in d.heat_sinks},
                   nets={f"L{i + 1}": n for i, n in enumerate(d.netlist.second)})
    n_sinks = sum(1 for m in marks if not m.startswith("L"))
    apart = (f"the cut leaves {len(parts)} pieces; {n_sinks} heat sinks and "
             f"{len(marks) - n_sinks} leads, none joined to what it must be apart from")
    out = []
    for kind, id_, what in (
            ("heat_sinks", "PROC.HEAT_SINK_ISOLATION",
             "heat sinks at different voltages on one piece of metal after singulation"),
            ("leads", "PROC.LEAD_ISOLATION",
             "a heat sink and a lead, or leads of different nets, on one piece after "
             "singulation")):
        mine = [s for s in found if s.kind == kind]
        out.append(check(id_, what, "<=", 0.0, float(len(mine)), "count",
                         f"package outline ({L.PACKAGE.name}) cuts the frame",
                         (L.FRAME.name, L.PACKAGE.name), [s.box for s in mine[:MAX_PLACES]],
                         "; ".join(f"{s.a} and {s.b} ({s.why})" for s in mine[:5]) or apart))
    return out


def _narrowest(rule: Rule, polys: Sequence[np.ndarray], g: float) -> tuple[float | None, float]:
    """The narrowest web (width rule) or slot (space rule) of a layer, and how far it looked."""
    ints = [np.round(np.asarray(p) / g).astype(np.int64) for p in polys]
    fn = width_pairs if rule.kind == "width" else space_pairs
    probe = rule.limit
    for k in _PROBES:
        probe = k * rule.limit
        ep = fn(ints, int(round(probe / g)), metric=metric_of(rule))
        if len(ep):
            return float(ep.distance.min()) * g, probe
    return None, probe


def _photo_etch(cp: CocPart, shapes, g: float) -> list[ProcessCheck]:
    ct, L = cp.design.tech, cp.design.layers  # noqa: N806 - role map
    out = []
    for rule, id_, what in ((ct.web_rule, "PROC.PHOTO_ETCH_WEB", "narrowest frame web"),
                            (ct.slot_rule, "PROC.PHOTO_ETCH_SLOT", "narrowest frame slot")):
        m, probe = _narrowest(rule, shapes[L.FRAME.name], g)
        basis = f" ({rule.basis})" if rule.basis else ""
        detail = (f"{m / ct.frame_um:.3g} x the {ct.frame_um:g} um frame" if m is not None
                  else f"none narrower than {probe:g} um")
        out.append(check(id_, f"{what} against {rule.id}{basis}", ">=", rule.limit,
                         m if m is not None else probe, "um", f'rules."{rule.id}"',
                         (L.FRAME.name,), detail=detail))
    return out


def _frame_rules(cp: CocPart, tech: Technology) -> list[str]:
    """The technology's rules on the frame metal alone."""
    return [rid for rid, r in tech.rules.items() if set(r.layers) == {cp.design.layers.FRAME.name}]


def strip_sample(cp: CocPart, tech: Technology) -> gdstk.Cell | None:
    """The strip the strip's checks read: up to 3 x 3 sites, each place of the full strip.

    A strip whose site pitch is more than twice as long as the frame rules see from a point
    (drc.hier.influence_um; a corner's window for the corner kinds) has every neighbourhood
    of the full strip in its sample (strip.sample_strip). None for one site.

    Args:
        cp: the loaded design and its plan.
        tech: the technology.
    """
    if cp.plan.strip is None:
        return None
    reach = max((influence_um(tech.rules[r]) for r in _frame_rules(cp, tech)), default=0.0)
    return strip_cell(cp, sample_strip(cp.design, cp.plan.strip, reach))


def _strip_checks(cp: CocPart, strip: gdstk.Cell, tech: Technology) -> list[ProcessCheck]:
    """The strip, read from its own layout: one piece of metal, clean under the frame rules."""
    L, g = cp.design.layers, tech.grid_um  # noqa: N806 - role map
    metal = flatten_gds_layer(strip, L.FRAME.gds, dbu_um=g)
    (x0, y0), (x1, y1) = strip.bounding_box()
    parts = pieces(metal, [geo.box(x0, y0, x1, y1)])
    out = [check("PROC.STRIP_HELD", "pieces of the strip's metal besides the one that holds "
                 "its sites (a site or rail left loose falls out when etched through)", "<=",
                 0.0, float(len(parts) - 1), "count", "frame.strip", (L.FRAME.name,),
                 [tuple(float(v) for v in p.bounds) for p in sorted(
                     parts, key=lambda p: p.area)[:-1][:MAX_PLACES]])]
    ids = _frame_rules(cp, tech)
    found = run_drc({L.FRAME.name: metal}, tech, rules=ids)
    counts = {k: n for k, n in found.summary().items() if n}
    out.append(check(
        "PROC.STRIP_RULES", f"violations of the frame's photo-etch rules ({', '.join(ids)}) "
        "in the strip: where sites meet each other and the side rails, and the pilot holes "
        "(read on a sample of up to 3 x 3 sites that holds every place of the strip)",
        "<=", 0.0, float(sum(counts.values())), "count", "rules on FRAME", (L.FRAME.name,),
        [v.bbox for v, _ in zip(found.violations, range(MAX_PLACES))],
        ", ".join(f"{k}: {n}" for k, n in counts.items())))
    return out


def run_checks(cp: CocPart, top: gdstk.Cell, shapes, tech: Technology, *,
               strip: gdstk.Cell | None = None) -> list[ProcessCheck]:
    """Every process check of the package, in a fixed order.

    Args:
        cp: the loaded design and its plan.
        top: the product's top cell (its ASSEMBLY is read).
        shapes: technology layer name -> polygons (um) of the flattened top cell.
        tech: the technology.
        strip: the strip's layout (FRAME), when the design steps the site into one.
    """
    d, g = cp.design, tech.grid_um
    L = d.layers  # noqa: N806 - role map
    asm = _assembly(top)
    area, boxes = xor_area(shapes[L.BUMP1.name], shapes[L.BUMPC.name], grid_um=g)
    out = [check("PROC.MIRROR_XOR", "upper chips' bumps, placed, XOR chip 1's first bumps",
                 "<=", 0.0, area, "um2", "face to face: the bumps must coincide",
                 (L.BUMP1.name, L.BUMPC.name), boxes)]
    miss = net_mismatches(texts(asm, L.BUMP1.gds, g), texts(asm, L.BUMPC.gds, g), grid_um=g)
    out.append(check(
        "PROC.MIRROR_NETS", "facing bumps of different nets, or a bump facing none", "<=", 0.0,
        float(len(miss)), "count", "the design's netlist", (L.BUMP1.name, L.BUMPC.name),
        [(m.x_um, m.y_um, m.x_um, m.y_um) for m in miss[:MAX_PLACES]],
        "; ".join(f"({m.x_um:g}, {m.y_um:g}): chip 1 {m.lower}, upper {m.upper}"
                  for m in miss[:3])))
    out += _chip_checks(cp, asm, shapes, g)
    out.append(_land_check(cp, asm, shapes, g))
    out += _isolation_checks(cp, asm, shapes, g)
    out += _photo_etch(cp, shapes, g)
    if strip is not None:
        out += _strip_checks(cp, strip, tech)
    return out + stack_checks(cp)

