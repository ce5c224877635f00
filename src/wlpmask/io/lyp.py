"""KLayout layer-properties file (.lyp): each technology layer shown under its own name."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from ..tech import Layer, Technology
from . import write_text_atomic


def layer_label(layer: Layer) -> str:
    """The name KLayout shows for a layer: "NAME layer/datatype"."""
    return f"{layer.name} {layer.gds[0]}/{layer.gds[1]}"


def _properties(layer: Layer) -> list[str]:
    fields = [
        ("expanded", "false"),
        ("frame-color", layer.color),
        ("fill-color", layer.color),
        ("frame-brightness", "0"),
        ("fill-brightness", "0"),
        ("dither-pattern", f"I{layer.pattern}"),
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
    """The .lyp XML for a technology, layers in file order."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<layer-properties>"]
    for layer in tech.layers.values():
        lines.extend(_properties(layer))
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
