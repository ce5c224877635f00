"""KLayout layer-properties file (.lyp): each technology layer shown under its own name.

Each is styled so that no layer hides the ones below it.

KLayout draws the entries in file order, each over the ones before it; marker layers come first
as outlines, then the incoming wafer's layers, then the masks, each with a sparse fill unless
the technology sets its pattern.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from ..tech import Layer, Technology
from . import write_text_atomic

HOLLOW = 1  # KLayout's "hollow" dither pattern: the frame alone
# Fills for layers whose technology sets no pattern, one pixel in eight each, in turn along the
# layers of a purpose so that overlapping masks keep apart: KLayout's lightly left-hatched,
# lightly right-hatched, horizontal sparse and vertical sparse; coarsely dotted for inputs.
_SPARSE = {"mask": (5, 9, 40, 35), "input": (3,)}
_DRAW_ORDER = ("marker", "input", "mask")  # bottom first


def layer_label(layer: Layer) -> str:
    """The name KLayout shows for a layer: "NAME layer/datatype".

    Args:
        layer: the technology layer.
    """
    return f"{layer.name} {layer.gds[0]}/{layer.gds[1]}"


def hollow(layer: Layer) -> bool:
    """Whether a layer is drawn as outlines only: every marker, and a layer set to hollow.

    Args:
        layer: the technology layer.
    """
    return layer.purpose == "marker" or layer.pattern == HOLLOW


def styled_layers(tech: Technology) -> list[tuple[Layer, int]]:
    """The layers in drawing order (bottom first) with the dither pattern each is drawn with.

    Args:
        tech: the technology (purposes and patterns; file order within a purpose).
    """
    out = []
    for purpose in _DRAW_ORDER:
        layers = [la for la in tech.layers.values() if la.purpose == purpose]
        for i, layer in enumerate(layers):
            if purpose == "marker":
                pattern = HOLLOW
            elif layer.pattern is not None:
                pattern = layer.pattern
            else:
                pattern = _SPARSE[purpose][i % len(_SPARSE[purpose])]
            out.append((layer, pattern))
    return out


def _properties(layer: Layer, pattern: int) -> list[str]:
    fields = [
        ("expanded", "false"),
        ("frame-color", layer.color),
        ("fill-color", layer.color),
        ("frame-brightness", "0"),
        ("fill-brightness", "0"),
        ("dither-pattern", f"I{pattern}"),
        ("line-style", None),
        ("valid", "true"),
        ("visible", "true"),
        ("transparent", "false"),
        ("width", None),
        ("marked", "false"),
        ("xfill", "false"),
        ("animation", "0"),
        ("name", layer_label(layer)),
        ("source", f"{layer.gds[0]}/{layer.gds[1]}@1"),
    ]
    lines = [" <properties>"]
    for tag, value in fields:
        lines.append(f"  <{tag}/>" if value is None else f"  <{tag}>{escape(value)}</{tag}>")
    lines.append(" </properties>")
    return lines


def lyp_text(tech: Technology) -> str:
    """The .lyp XML for a technology, layers in drawing order (see styled_layers).

    Args:
        tech: the technology.
    """
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<layer-properties>"]
    for layer, pattern in styled_layers(tech):
        lines.extend(_properties(layer, pattern))
    lines.append(f" <name>{escape(tech.name)}</name>")
    lines.append("</layer-properties>")
    return "\n".join(lines) + "\n"


def write_lyp(tech: Technology, path: str | Path) -> None:
    """Write the KLayout layer-properties file of a technology (atomically).

    Args:
        tech: the technology.
        path: the .lyp file to create or replace.
    """
    write_text_atomic(path, lyp_text(tech))
