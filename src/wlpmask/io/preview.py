"""Previews of a layout for people: SVG (vector) and PNG (raster, written with zlib only).

Both draw the given layers in order with the technology's colours (outlined where KLayout's
layer properties draw only frames, filled otherwise), a title, a legend (layer, GDS numbers,
polygon count) and a scale bar. A region draws only that window of the layout (a zoomed
detail). Coordinates are um.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from ..tech import Technology
from . import atomic_write
from .font import draw_text
from .lyp import hollow

Box = tuple[float, float, float, float]
Shapes = Mapping[str, Sequence[np.ndarray]]

_FILL_OPACITY = {"input": 0.55, "mask": 0.45, "marker": 0.25}
_PAGE_PX = 900  # size of the longer side of the drawn window
_LEGEND_PX = 300
_MARGIN_PX = 24
_TITLE_PX = 36
_FOOT_PX = 48
_ROW_PX = 24


def _scale_bar_um(extent_um: float) -> float:
    """A round length near a fifth of the extent (1, 2 or 5 x a power of ten)."""
    target = extent_um / 5
    base = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * base <= target:
            return m * base
    return base


def _fmt_len(um: float) -> str:
    return f"{um / 1000:g} mm" if um >= 1000 else f"{um:g} um"


def _extent(shapes: Shapes) -> Box:
    pts = [np.asarray(p) for polys in shapes.values() for p in polys]
    if not pts:
        return (0.0, 0.0, 1.0, 1.0)
    allp = np.concatenate(pts)
    x0, y0 = allp.min(axis=0)
    x1, y1 = allp.max(axis=0)
    return (float(x0), float(y0), float(max(x1, x0 + 1e-3)), float(max(y1, y0 + 1e-3)))


def _in_region(polys: Sequence[np.ndarray], region: Box | None) -> list[np.ndarray]:
    """The polygons whose bounding box meets the region (all of them without a region)."""
    arrs = [np.asarray(p, dtype=float) for p in polys]
    if region is None:
        return arrs
    x0, y0, x1, y1 = region
    return [p for p in arrs if p[:, 0].max() >= x0 and p[:, 0].min() <= x1
            and p[:, 1].max() >= y0 and p[:, 1].min() <= y1]


@dataclass(frozen=True)
class _Page:
    """Where things go on the page.

    The drawn window (um), the scale (px per um), the size of the drawing and of the page
    (px), and the layers drawn with their polygons.
    """

    window: Box
    scale: float
    w_px: int
    h_px: int
    width: int
    height: int
    layers: dict[str, list[np.ndarray]]

    def legend_rows(self, tech: Technology) -> list[tuple[int, str, str]]:
        """(y, layer name, caption) of each legend row."""
        return [(_TITLE_PX + i * _ROW_PX, name, f"{name} {tech.layers[name].gds[0]}/"
                 f"{tech.layers[name].gds[1]} ({len(polys)})")
                for i, (name, polys) in enumerate(self.layers.items())]

    def scale_bar(self) -> tuple[int, float, str]:
        """(top y, length px, caption) of the scale bar."""
        bar = _scale_bar_um(self.window[2] - self.window[0])
        return _TITLE_PX + self.h_px + 26, bar * self.scale, _fmt_len(bar)


def _page(shapes: Shapes, layers: Sequence[str], region: Box | None) -> _Page:
    drawn = {n: _in_region(shapes.get(n, []), region) for n in layers}
    drawn = {n: p for n, p in drawn.items() if p}
    x0, y0, x1, y1 = region if region is not None else _extent(drawn)
    s = _PAGE_PX / max(x1 - x0, y1 - y0)
    w_px = int(math.ceil((x1 - x0) * s))
    h_px = int(math.ceil((y1 - y0) * s))
    width = _MARGIN_PX * 3 + w_px + _LEGEND_PX
    height = _TITLE_PX + _MARGIN_PX + max(h_px, _ROW_PX * len(drawn)) + _FOOT_PX
    return _Page((x0, y0, x1, y1), s, w_px, h_px, width, height, drawn)


# ------------------------------------------------------------------------------------ SVG

def svg_text(shapes: Shapes, *, tech: Technology, layers: Sequence[str], title: str,
             region: Box | None = None) -> str:
    """The SVG preview as text (the arguments as write_preview takes them).

    Args:
        shapes: layer name -> polygons (um).
        tech: the technology.
        layers: the layers to draw, bottom first.
        title: the caption.
        region: the window to draw (um), or None for all.
    """
    pg = _page(shapes, layers, region)
    x0, y0, x1, y1 = pg.window
    s = pg.scale
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{pg.width}" height="{pg.height}" '
           f'viewBox="0 0 {pg.width} {pg.height}" font-family="sans-serif" font-size="13">',
           f'<rect width="{pg.width}" height="{pg.height}" fill="#ffffff"/>',
           f'<text x="{_MARGIN_PX}" y="24" font-size="17">{escape(title)}</text>',
           f'<clipPath id="window"><rect x="{_MARGIN_PX}" y="{_TITLE_PX}" width="{pg.w_px}" '
           f'height="{pg.h_px}"/></clipPath>',
           f'<g clip-path="url(#window)"><g transform="translate({_MARGIN_PX} '
           f'{_TITLE_PX + pg.h_px}) scale({s:.9g} {-s:.9g}) translate({-x0:.6f} {-y0:.6f})">']
    for name, polys in pg.layers.items():
        lay = tech.layers[name]
        d = " ".join("M" + " L".join(f"{x:.3f} {y:.3f}" for x, y in p) + " Z" for p in polys)
        if hollow(lay):
            style = f'fill="none" stroke="{lay.color}" stroke-width="{1.2 / s:.6g}"'
        else:
            style = (f'fill="{lay.color}" fill-opacity="{_FILL_OPACITY[lay.purpose]}" '
                     f'stroke="{lay.color}" stroke-width="{0.6 / s:.6g}"')
        out.append(f'<path id="{escape(name)}" fill-rule="nonzero" {style} d="{d}"/>')
    out.append("</g></g>")
    lx = _MARGIN_PX * 2 + pg.w_px
    for y, name, caption in pg.legend_rows(tech):
        lay = tech.layers[name]
        fill = (f'fill="{lay.color}" fill-opacity="{_FILL_OPACITY[lay.purpose]}"'
                if not hollow(lay) else 'fill="none"')
        out.append(f'<rect x="{lx}" y="{y}" width="18" height="14" {fill} '
                   f'stroke="{lay.color}" stroke-width="1.5"/>')
        out.append(f'<text x="{lx + 26}" y="{y + 12}">{escape(caption)}</text>')
    by, bar_px, caption = pg.scale_bar()
    out.append(f'<rect x="{_MARGIN_PX}" y="{by}" width="{bar_px:.2f}" height="6" '
               f'fill="#000000"/>')
    out.append(f'<text x="{_MARGIN_PX + bar_px + 8:.2f}" y="{by + 7}">{escape(caption)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------ PNG

def _fill_polygons(mask: np.ndarray, polys: Sequence[np.ndarray]) -> None:
    """Set the pixels whose centres lie inside any of the polygons (pixel coordinates).

    All edges at once: each edge adds its winding (+1 or -1, the polygon turned
    counter-clockwise first) at the first pixel of every row it crosses, and a running sum
    along each row is the winding number of each pixel centre; where it is not zero the pixel
    is inside. Work and memory grow with the edge-row crossings, not with a loop per polygon.
    """
    h, w = mask.shape
    if not polys:
        return
    sizes = np.array([len(p) for p in polys])
    p = np.concatenate(polys)
    start = np.cumsum(sizes) - sizes
    nxt = np.arange(len(p)) + 1
    nxt[start + sizes - 1] = start  # each polygon's last vertex joins its first
    q = p[nxt]
    area = np.add.reduceat(p[:, 0] * q[:, 1] - q[:, 0] * p[:, 1], start)
    turn = np.repeat(np.where(area < 0, -1, 1), sizes)
    lo, hi = np.minimum(p[:, 1], q[:, 1]), np.maximum(p[:, 1], q[:, 1])
    r0 = np.maximum(np.ceil(lo - 0.5), 0).astype(np.int64)
    r1 = np.minimum(np.ceil(hi - 0.5) - 1, h - 1).astype(np.int64)
    n = np.maximum(r1 - r0 + 1, 0)
    edge = np.repeat(np.arange(len(p)), n)
    if not len(edge):
        return
    row = r0[edge] + np.arange(len(edge)) - np.repeat(np.cumsum(n) - n, n)
    pe, qe = p[edge], q[edge]
    yc = row + 0.5
    x = pe[:, 0] + (yc - pe[:, 1]) * (qe[:, 0] - pe[:, 0]) / (qe[:, 1] - pe[:, 1])
    col = np.clip(np.ceil(x - 0.5), 0, w).astype(np.int64)
    wind = np.where(qe[:, 1] > pe[:, 1], 1, -1) * turn[edge]
    acc = np.bincount(row * (w + 1) + col, weights=wind, minlength=h * (w + 1))
    mask |= np.cumsum(acc.reshape(h, w + 1)[:, :w], axis=1) != 0


def _clip_segments(p: np.ndarray, q: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]:
    """The parts of the segments p[i] -> q[i] inside the box (Liang-Barsky).

    Segments wholly outside are dropped.

    Args:
        p: (N, 2) start points.
        q: (N, 2) end points.
        box: (x0, y0, x1, y1) in the points' unit.
    """
    d = q - p
    t0, t1 = np.zeros(len(p)), np.ones(len(p))
    keep = np.ones(len(p), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for step, gap in ((-d[:, 0], p[:, 0] - box[0]), (d[:, 0], box[2] - p[:, 0]),
                          (-d[:, 1], p[:, 1] - box[1]), (d[:, 1], box[3] - p[:, 1])):
            keep &= (step != 0) | (gap >= 0)  # parallel to this side and outside it
            r = gap / step
            t0 = np.where(step < 0, np.maximum(t0, r), t0)
            t1 = np.where(step > 0, np.minimum(t1, r), t1)
    keep &= t0 <= t1
    return p[keep] + t0[keep, None] * d[keep], p[keep] + t1[keep, None] * d[keep]


def _clip_polygon(pts: np.ndarray, box: Box) -> np.ndarray:
    """The polygon cut to the box (Sutherland-Hodgman, one side at a time).

    The cut may leave edges along the box's sides, so the box should lie outside the pixels
    that are drawn.

    Args:
        pts: (N, 2) vertices.
        box: (x0, y0, x1, y1) in the vertices' unit.
    """
    for axis, bound, sign in ((0, box[0], -1), (0, box[2], 1), (1, box[1], -1), (1, box[3], 1)):
        if len(pts) == 0:
            break
        v = pts[:, axis]
        inside = sign * (v - bound) <= 0
        prev, prev_in = np.roll(pts, 1, axis=0), np.roll(inside, 1)
        cross = inside != prev_in
        out = np.empty((2 * len(pts), 2))
        with np.errstate(divide="ignore", invalid="ignore"):  # only crossing edges are kept
            t = (bound - prev[:, axis]) / (v - prev[:, axis])
            out[0::2] = prev + t[:, None] * (pts - prev)
        out[1::2] = pts
        keep = np.empty(2 * len(pts), dtype=bool)
        keep[0::2], keep[1::2] = cross, inside
        pts = out[keep]
    return pts


def _stroke_segments(mask: np.ndarray, p: np.ndarray, q: np.ndarray) -> None:
    """Set the pixels along the segments p[i] -> q[i] (pixel coordinates).

    Two samples per pixel of length; points outside the mask are dropped, not clamped to its
    border. The segments must be clipped to the mask first: the samples grow with their
    length.
    """
    if not len(p):
        return
    n = (np.maximum(np.abs(q[:, 0] - p[:, 0]), np.abs(q[:, 1] - p[:, 1])) * 2).astype(int) + 2
    edge = np.repeat(np.arange(len(p)), n)
    start = np.repeat(np.cumsum(n) - n, n)
    t = ((np.arange(len(edge)) - start) / (n[edge] - 1))[:, None]
    pts = p[edge] + t * (q[edge] - p[edge])
    cx, cy = np.floor(pts[:, 0]).astype(int), np.floor(pts[:, 1]).astype(int)
    h, w = mask.shape
    ok = (cx >= 0) & (cx < w) & (cy >= 0) & (cy < h)
    mask[cy[ok], cx[ok]] = True


def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def png_image(shapes: Shapes, *, tech: Technology, layers: Sequence[str], title: str,
              region: Box | None = None) -> np.ndarray:
    """The PNG preview as an (H, W, 3) uint8 RGB array (the arguments as write_preview takes).

    Args:
        shapes: layer name -> polygons in um.
        tech: the technology whose colours are used.
        layers: the layer names, drawn bottom first.
        title: the page's caption.
        region: a window (um) to zoom to; None draws everything.
    """
    pg = _page(shapes, layers, region)
    x0, _, _, y1 = pg.window
    s = pg.scale
    img = np.full((pg.height, pg.width, 3), 255.0)
    view = img[_TITLE_PX:_TITLE_PX + pg.h_px, _MARGIN_PX:_MARGIN_PX + pg.w_px]
    # Everything is cut to the window (two pixels wider, so the cuts are not drawn) before it
    # is scaled: the work then follows the pixels drawn, however small the window is.
    pad = 2 / s
    clip = (x0 - pad, y1 - (pg.h_px + 2) / s, x0 + (pg.w_px + 2) / s, y1 + pad)
    lo, hi = np.array(clip[:2]), np.array(clip[2:])

    def to_px(pts: np.ndarray) -> np.ndarray:
        return np.column_stack(((pts[:, 0] - x0) * s, (y1 - pts[:, 1]) * s))

    for name, polys in pg.layers.items():
        lay = tech.layers[name]
        edge = np.zeros(view.shape[:2], dtype=bool)
        a, b = _clip_segments(np.concatenate(polys),
                              np.concatenate([np.roll(p, -1, axis=0) for p in polys]), clip)
        _stroke_segments(edge, to_px(a), to_px(b))
        rgb = _rgb(lay.color)
        if not hollow(lay):
            mask = np.zeros_like(edge)
            cuts = []
            for p in polys:
                inside = (p.min(axis=0) >= lo).all() and (p.max(axis=0) <= hi).all()
                cut = p if inside else _clip_polygon(p, clip)
                if len(cut) >= 3:
                    cuts.append(to_px(cut))
            _fill_polygons(mask, cuts)
            a = _FILL_OPACITY[lay.purpose]
            view[mask] = view[mask] * (1 - a) + rgb * a
        view[edge] = rgb
    img = img.round().astype(np.uint8)
    draw_text(img, _MARGIN_PX, 10, title, scale=2)
    lx = _MARGIN_PX * 2 + pg.w_px
    for y, name, caption in pg.legend_rows(tech):
        lay = tech.layers[name]
        rgb = _rgb(lay.color)
        # The swatch shows the colour a lone shape of the layer has in the drawing.
        a = 0.0 if hollow(lay) else _FILL_OPACITY[lay.purpose]
        img[y:y + 14, lx:lx + 18] = np.round(255 * (1 - a) + rgb * a).astype(np.uint8)
        img[y:y + 14, lx:lx + 2] = rgb
        img[y:y + 14, lx + 16:lx + 18] = rgb
        img[y:y + 2, lx:lx + 18] = rgb
        img[y + 12:y + 14, lx:lx + 18] = rgb
        draw_text(img, lx + 26, y, caption, scale=2)
    by, bar_px, caption = pg.scale_bar()
    img[by:by + 6, _MARGIN_PX:_MARGIN_PX + int(round(bar_px))] = 0
    draw_text(img, _MARGIN_PX + int(round(bar_px)) + 8, by - 3, caption, scale=2)
    return img


def png_bytes(img: np.ndarray) -> bytes:
    """Encode an (H, W, 3) uint8 RGB array as PNG (zlib, filter 0, no timestamp).

    Args:
        img: the image, rows top first.
    """
    h, w, _ = img.shape
    raw = np.concatenate([np.zeros((h, 1), dtype=np.uint8), img.reshape(h, w * 3)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 9))
            + chunk(b"IEND", b""))


def write_preview(path: str | Path, shapes: Shapes, *, tech: Technology,
                  layers: Sequence[str], title: str, region: Box | None = None) -> None:
    """Write an SVG or PNG preview (by the file's suffix), atomically.

    Args:
        path: the .svg or .png file.
        shapes: layer name -> polygons (um).
        tech: the technology (colours, patterns, GDS numbers).
        layers: the layers to draw, bottom first; layers without shapes are left out.
        title: the caption.
        region: (x0, y0, x1, y1) um: draw only this window (a zoomed detail); None: all.

    Raises:
        ValueError: the suffix is neither .svg nor .png.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".svg":
        data = svg_text(shapes, tech=tech, layers=layers, title=title,
                        region=region).encode("utf-8")
    elif suffix == ".png":
        data = png_bytes(png_image(shapes, tech=tech, layers=layers, title=title,
                                   region=region))
    else:
        raise ValueError(f"a preview is .svg or .png, got {path}")
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)
