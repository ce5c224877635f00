"""The [netlist] section: one netlist for both interconnects of a chip-on-chip package.

`first.<chip>` lists the nets of the first bumps under an upper chip, row by row from the
lower-left site of its field on chip 1's face ("" leaves a site empty); `second` lists the net
of each lead, lead 1 first. Either may be a list of names or `{prefix, count}` (prefix1 ..
prefixN). A net name joins bumps on chip 1, the upper chips and the leads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...validate import Reader, dotted

__all__ = ["MAX_NETS", "NET_RE", "Netlist", "read_netlist"]

# A net name goes into GDS texts and the lead table's CSV: no blanks, commas or quotes.
NET_RE = re.compile(r'^[^\s,"]+$')
# The most sites of one field: a 200 x 200 micro-bump field is 40,000; a million is a typo.
MAX_NETS = 1_000_000


@dataclass(frozen=True)
class Netlist:
    """The package's netlist.

    Args:
        first: upper chip name -> the nets of its field's sites, row-major ("": empty site).
        second: the net of each lead, lead 1 first.
    """

    first: dict[str, tuple[str, ...]]
    second: tuple[str, ...]

    def names(self) -> set[str]:
        """Every net name used."""
        return {n for nets in self.first.values() for n in nets if n} | set(self.second)


def _names(r: Reader, v, key: str, *, empty_ok: bool) -> tuple[str, ...]:
    if isinstance(v, dict):
        r.keys(key, v, {"prefix", "count"})
        prefix = r.string(v, key, "prefix")
        count = r.integer(v, key, "count", minimum=1, maximum=MAX_NETS)
        if not NET_RE.match(prefix):
            raise r.err(dotted(key, "prefix"), f"expected a net-name prefix without blanks, "
                        f"commas or quotes, got {prefix!r}")
        return tuple(f"{prefix}{i}" for i in range(1, count + 1))
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v) or not v:
        raise r.err(key, "expected a list of net names or {prefix, count}")
    if len(v) > MAX_NETS:
        raise r.err(key, f"expected at most {MAX_NETS} nets, got {len(v)}")
    for i, name in enumerate(v):
        if (name or not empty_ok) and not NET_RE.match(name):
            raise r.err(f"{key}[{i}]", f"expected a net name without blanks, commas or "
                        f"quotes, got {name!r}")
    if not any(v):
        raise r.err(key, "every site is empty")
    return tuple(v)


def read_netlist(r: Reader, t: dict, *, uppers: Sequence[str], leads: int) -> Netlist:
    """The [netlist] table, checked against the upper chips and the lead count.

    Args:
        r: the design file's reader.
        t: the [netlist] table.
        uppers: the upper chips' names.
        leads: the lead count of the frame.
    """
    r.keys("netlist", t, {"first", "second"})
    first_t = r.table(t, "netlist", "first")
    r.keys("netlist.first", first_t, set(uppers))
    first = {}
    for chip in uppers:
        key = dotted("netlist.first", chip)
        if chip not in first_t:
            raise r.err(key, "missing the nets of this upper chip's first bumps")
        first[chip] = _names(r, first_t[chip], key, empty_ok=True)
    if "second" not in t:
        raise r.err("netlist.second", "missing the net of each lead")
    second = _names(r, t["second"], "netlist.second", empty_ok=False)
    if len(second) != leads:
        raise r.err("netlist.second", f"expected one net per lead ({leads} leads), got "
                    f"{len(second)}")
    return Netlist(first, second)
