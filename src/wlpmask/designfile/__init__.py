"""What every family's design file shares.

The [design] header (name, technology, family, description), the die frame ([die]), the
bond-pad and contact-area sources ([pads]: inline, CSV, GDS layer, DEF + LEF), the [layers]
role overrides, the [preview] settings and the [wafer] the die is stepped on. A family reads
its own sections through the same `DesignDoc` and typed `Reader`; this package knows no
family.
"""

from .die import DIE_KEYS, MAX_DIE_UM, Die, read_die
from .header import DesignDoc, Header, read_design
from .pads import PAD_SOURCES, PadSource, check_pads, read_pads, skip_note
from .preview import CORNERS, Preview, detail_window, read_preview
from .roles import Roles, read_roles
from .wafer import WaferSpec, read_wafer

# The sections this package reads; a family adds its own.
SHARED_SECTIONS = frozenset({"design", "die", "layers", "pads", "preview", "wafer"})

__all__ = ["CORNERS", "DIE_KEYS", "MAX_DIE_UM", "PAD_SOURCES", "SHARED_SECTIONS", "DesignDoc",
           "Die", "Header", "PadSource", "Preview", "Roles", "WaferSpec", "check_pads",
           "detail_window", "read_design", "read_die", "read_pads", "read_preview", "read_roles",
           "read_wafer", "skip_note"]
