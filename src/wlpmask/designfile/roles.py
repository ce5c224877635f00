"""Layer roles: what a family draws, mapped once at load to the technology's layers.

A family declares its roles as a frozen dataclass whose fields are the role names (upper case,
as in design files and manifests) holding a technology `Layer`, or None for an optional role the
design does not draw. `read_roles` fills it from the design's [layers] table (ROLE = "LAYER";
the default layer of a role is the layer of the same name), so after loading no code looks a
role up by string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TypeVar

from ..tech import Layer, Technology
from ..validate import Reader

__all__ = ["Roles", "read_roles"]

R = TypeVar("R", bound="Roles")


@dataclass(frozen=True)
class Roles:
    """Base of a family's role map: one `Layer | None` field per role."""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The role names, in declaration order."""
        return tuple(f.name for f in fields(cls))

    def drawn(self) -> dict[str, Layer]:
        """Role -> layer for every role the design draws, in declaration order."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}


def read_roles(r: Reader, t: dict, tech: Technology, cls: type[R], *,
               optional: Mapping[str, bool] | None = None) -> R:
    """Resolve a family's roles against the technology.

    Args:
        r: the design file's reader.
        t: the [layers] table (role -> technology layer name); may be empty.
        tech: the technology.
        cls: the family's Roles dataclass.
        optional: optional role -> whether this design draws it; an optional role that is
            not drawn resolves to None, one whose layer is missing too.

    Raises:
        WlpmaskError: an unknown role, or a role that must be drawn without its layer.
    """
    optional = dict(optional or {})
    roles = cls.names()
    r.keys("layers", t, set(roles))
    out: dict[str, Layer | None] = {}
    for role in roles:
        name = r.string(t, "layers", role, default=role)
        wanted = optional.get(role, True)
        if name not in tech.layers:
            if role in t or wanted:
                where = f"layers.{role}" if role in t else "design.technology"
                raise r.err(where, f"unknown layer {name!r} for the {role} role; valid layers: "
                            f"{', '.join(tech.layers)}")
            out[role] = None
            continue
        out[role] = tech.layers[name] if wanted else None
    return cls(**out)
