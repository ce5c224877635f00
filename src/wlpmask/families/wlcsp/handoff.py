"""Hand-off files of a WLCSP for the people after the mask shop: ball map, picture, footprint.

NAME.ballmap.csv lists every ball: site, centre (um, die centre at the origin, bump side as
drawn: the layout's view), net and bond pad ("" where none). NAME.ballmap.svg is the datasheet
picture: the bump side (bottom view, as drawn) and the top view (through the die, mirrored
left to right), the A1 corner marked, each ball with its site and net. NAME.kicad_mod is the
land pattern in KiCad's top view: a round pad per ball, named by site, as large as the bump's
opening, with the silicon edge as fab outline and a courtyard half a pitch beyond it.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape

from ...io.kicad import FootprintPad, footprint_text
from .design import WlcspDesign

__all__ = ["ball_rows", "handoff_files"]

_PANEL_PX = 460.0
_MARGIN_PX = 40.0


def ball_rows(part: WlcspDesign,
              assignment: Mapping[str, str]) -> list[tuple[str, float, float, str, str]]:
    """(site, x_um, y_um, net, pad) of every ball, die centre at the origin, as drawn.

    Args:
        part: the WLCSP design part.
        assignment: pad name -> bump site the router used.
    """
    pad_at = {bump: pad for pad, bump in sorted(assignment.items())}
    net_of = {p.name: p.net_name for p in part.pads}
    cx, cy = part.die.width_um / 2, part.die.height_um / 2
    out = []
    for s in part.bumps.sites:
        pad = pad_at.get(s.name, "")
        net = net_of.get(pad) or s.net or ""
        out.append((s.name, round(s.x_um - cx, 6), round(s.y_um - cy, 6), net, pad))
    return out


def _csv(rows) -> str:
    lines = ["site,x_um,y_um,net,pad"]
    lines += [f"{s},{x:g},{y:g},{n},{p}" for s, x, y, n, p in rows]
    return "\n".join(lines) + "\n"


def _panel(rows, part: WlcspDesign, x0: float, title: str, mirror: bool) -> list[str]:
    die = part.die
    w = die.width_um - 2 * die.seal_outer_um
    h = die.height_um - 2 * die.seal_outer_um
    s = _PANEL_PX / max(w, h)
    ox, oy = x0 + _PANEL_PX / 2, _MARGIN_PX + _PANEL_PX / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return (ox + (-x if mirror else x) * s, oy - y * s)

    pitch = part.bumps.pitch_um or part.bumps.dims.min_pitch_um
    font = max(pitch * s * 0.17, 4.0)
    out = [f'<text x="{ox:.1f}" y="{_MARGIN_PX - 14:.1f}" text-anchor="middle" '
           f'font-size="15">{escape(title)}</text>',
           f'<rect x="{ox - w * s / 2:.1f}" y="{oy - h * s / 2:.1f}" width="{w * s:.1f}" '
           f'height="{h * s:.1f}" fill="#f4f4f4" stroke="#333"/>']
    r = part.ball.diameter_um * s / 2
    for site, x, y, net, _ in rows:
        px, py = at(x, y)
        fill = "#e08020" if net else "#ffffff"
        out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{r:.1f}" fill="{fill}" '
                   f'stroke="#333"/>')
        out.append(f'<text x="{px:.1f}" y="{py - font * 0.2:.1f}" text-anchor="middle" '
                   f'font-size="{font:.1f}">{escape(site)}</text>')
        if net:
            out.append(f'<text x="{px:.1f}" y="{py + font * 0.9:.1f}" text-anchor="middle" '
                       f'font-size="{font * 0.8:.1f}">{escape(net)}</text>')
    a1 = next((row for row in rows if row[0] == "A1"), rows[0])
    cx, cy = at(-w / 2 if a1[1] < 0 else w / 2, h / 2 if a1[2] > 0 else -h / 2)
    d = 14.0 * (1 if cx < ox else -1)
    e = 14.0 * (1 if cy < oy else -1)
    out.append(f'<polygon points="{cx:.1f},{cy:.1f} {cx + d:.1f},{cy:.1f} '
               f'{cx:.1f},{cy + e:.1f}" fill="#b00020"/>')
    out.append(f'<text x="{cx + d * 1.4:.1f}" y="{cy - e * 0.6:.1f}" font-size="12" '
               f'fill="#b00020" text-anchor="middle">{escape(a1[0])}</text>')
    return out


def _svg(rows, part: WlcspDesign) -> str:
    width = 2 * _PANEL_PX + 3 * _MARGIN_PX
    height = _PANEL_PX + 2 * _MARGIN_PX + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
           'font-family="sans-serif">',
           f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>']
    out += _panel(rows, part, _MARGIN_PX, "bottom view (bump side, as drawn)", False)
    out += _panel(rows, part, 2 * _MARGIN_PX + _PANEL_PX, "top view (through the die)", True)
    out.append(f'<text x="{_MARGIN_PX:.0f}" y="{height - 12:.0f}" font-size="12">'
               f'{escape(part.name)}: {len(rows)} balls, ball {part.ball.diameter_um:g} um, '
               f'pitch {part.bumps.pitch_um or 0:g} um; filled = connected</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _footprint(rows, part: WlcspDesign) -> str:
    die = part.die
    w = (die.width_um - 2 * die.seal_outer_um) / 1000
    h = (die.height_um - 2 * die.seal_outer_um) / 1000
    pitch = (part.bumps.pitch_um or part.bumps.dims.min_pitch_um) / 1000
    land = part.bumps.dims.opening_um / 1000
    # KiCad's top view looks through the die: x mirrored; its y axis points down
    pads = [FootprintPad(site, -x / 1000, -y / 1000, land) for site, x, y, _, _ in rows]
    a1 = next((p for p in pads if p.name == "A1"), pads[0])
    pin1 = (w / 2 if a1.x_mm > 0 else -w / 2, -h / 2 if a1.y_mm < 0 else h / 2)
    return footprint_text(part.name, pads, body_mm=(w, h), courtyard_mm=(w + pitch, h + pitch),
                          pin1_mm=pin1, description=f"{part.name}: WLCSP, {len(pads)} balls at "
                          f"{pitch * 1000:g} um pitch, lands {land * 1000:g} um (the bump "
                          "opening)")


def handoff_files(part: WlcspDesign, assignment: Mapping[str, str]) -> dict[str, bytes]:
    """The hand-off files: NAME.ballmap.csv, NAME.ballmap.svg, NAME.kicad_mod.

    Args:
        part: the WLCSP design part.
        assignment: pad name -> bump site the router used.
    """
    rows = ball_rows(part, assignment)
    name = part.name
    return {f"{name}.ballmap.csv": _csv(rows).encode(),
            f"{name}.ballmap.svg": _svg(rows, part).encode(),
            f"{name}.kicad_mod": _footprint(rows, part).encode()}
