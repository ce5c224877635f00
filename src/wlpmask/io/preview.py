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
from .raster import (
    Box,
    clip_polygon,
    clip_segments,
    fill_packed,
    in_box,
    pack,
    stroke_segments,
    successor,
)

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
    if region is None or not arrs:
        return arrs
    meets = in_box(*pack(arrs), region, whole=False)
    return [p for p, m in zip(arrs, meets) if m]


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
    # one pixel more than the extent: an edge on the window's right or lower side falls on
    # pixel (x1 - x0) * s, which must be in the drawing
    w_px = int(math.floor((x1 - x0) * s)) + 1
    h_px = int(math.floor((y1 - y0) * s)) + 1
    width = _MARGIN_PX * 3 + w_px + _LEGEND_PX
    height = _TITLE_PX + _MARGIN_PX + max(h_px, _ROW_PX * len(drawn)) + _FOOT_PX
    return _Page((x0, y0, x1, y1), s, w_px, h_px, width, height, drawn)


def _clip_box(pg: _Page) -> Box:
    """The window (um) widened by two pixels on every side: cuts along it are never drawn."""
    x0, _, _, y1 = pg.window
    s = pg.scale
    return (x0 - 2 / s, y1 - (pg.h_px + 2) / s, x0 + (pg.w_px + 2) / s, y1 + 2 / s)


def _to_px(pg: _Page, pts: np.ndarray) -> np.ndarray:
    """Points (um) -> drawing pixels (x right, y down from the window's top left corner)."""
    x0, _, _, y1 = pg.window
    return np.column_stack(((pts[:, 0] - x0) * pg.scale, (y1 - pts[:, 1]) * pg.scale))


def _cut_to_window(pg: _Page, polys: Sequence[np.ndarray], packed=None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The polygons cut to the widened window, packed, in drawing pixels: (points, sizes).

    Polygons wholly inside are kept as they are (one vectorised test), only the others are
    cut, so the work follows the polygons and not a loop over them. `packed` is pack(polys)
    when the caller has it.
    """
    clip = _clip_box(pg)
    pts, sizes, start = packed if packed is not None else pack(polys)
    whole = in_box(pts, sizes, start, clip, whole=True)
    cuts = [c for c in (clip_polygon(polys[i], clip) for i in np.flatnonzero(~whole))
            if len(c) >= 3]
    kept = pts[np.repeat(whole, sizes)]
    out = np.concatenate([kept, *cuts]) if cuts else kept
    return _to_px(pg, out), np.concatenate([sizes[whole],
                                            np.array([len(c) for c in cuts], dtype=np.int64)])


def _svg_path(px: np.ndarray, sizes: np.ndarray) -> str:
    """SVG path data of packed polygons in hundredths of a drawing pixel (integers)."""
    if not len(sizes):
        return ""
    q = np.round(px * 100).astype(np.int64)
    start = np.cumsum(sizes) - sizes
    head = np.full(len(q), " L", dtype=object)
    head[start] = " M"
    tail = np.full(len(q), "", dtype=object)
    tail[start + sizes - 1] = " Z"
    xs = np.array(list(map(str, q[:, 0].tolist())), dtype=object)
    ys = np.array(list(map(str, q[:, 1].tolist())), dtype=object)
    return "".join((head + xs + " " + ys + tail).tolist()).lstrip()


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
    # Coordinates are drawing pixels (y down) in hundredths, cut to the window: bounded
    # integers however large the layout or small the window.
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{pg.width}" height="{pg.height}" '
           f'viewBox="0 0 {pg.width} {pg.height}" font-family="sans-serif" font-size="13">',
           f'<rect width="{pg.width}" height="{pg.height}" fill="#ffffff"/>',
           f'<text x="{_MARGIN_PX}" y="24" font-size="17">{escape(title)}</text>',
           f'<clipPath id="window"><rect x="{_MARGIN_PX}" y="{_TITLE_PX}" width="{pg.w_px}" '
           f'height="{pg.h_px}"/></clipPath>',
           f'<g clip-path="url(#window)"><g transform="translate({_MARGIN_PX} {_TITLE_PX}) '
           f'scale(0.01)">']
    for name, polys in pg.layers.items():
        lay = tech.layers[name]
        d = _svg_path(*_cut_to_window(pg, polys))
        if hollow(lay):
            style = f'fill="none" stroke="{lay.color}" stroke-width="120"'
        else:
            style = (f'fill="{lay.color}" fill-opacity="{_FILL_OPACITY[lay.purpose]}" '
                     f'stroke="{lay.color}" stroke-width="60"')
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
    img = np.full((pg.height, pg.width, 3), 255.0)
    view = img[_TITLE_PX:_TITLE_PX + pg.h_px, _MARGIN_PX:_MARGIN_PX + pg.w_px]
    # Everything is cut to the window (two pixels wider, so the cuts are not drawn) before it
    # is scaled: the work then follows the pixels drawn, however small the window is.
    clip = _clip_box(pg)
    for name, polys in pg.layers.items():
        lay = tech.layers[name]
        packed = pack(polys)
        pts, sizes, start = packed
        edge = np.zeros(view.shape[:2], dtype=bool)
        a, b = clip_segments(pts, pts[successor(sizes, start)], clip)
        stroke_segments(edge, _to_px(pg, a), _to_px(pg, b))
        rgb = _rgb(lay.color)
        if not hollow(lay):
            px, cut_sizes = _cut_to_window(pg, polys, packed)
            mask = np.zeros_like(edge)
            fill_packed(mask, px, cut_sizes, np.cumsum(cut_sizes) - cut_sizes)
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
