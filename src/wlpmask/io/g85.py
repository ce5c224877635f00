"""Wafer maps as SEMI G85 XML (ASCII bins), with the meaning of the codes written in the file.

Public G85 readers disagree on what the OriginLocation and Orientation codes mean, so the file
states the convention it uses (G85_CONVENTION, also an XML comment at the top): rows are
numbered from the top of the wafer (row 0 the farthest from the flat or notch), columns from
the left, both as seen on the front of the wafer with the flat or notch down; the first Row
element is row 0; OriginLocation 2 is that upper-left origin and Orientation 0 puts the flat
or notch at the bottom (6 o'clock). Each character of a row is one die site's bin code; the
null bin (no die) is ".".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

__all__ = ["G85_CONVENTION", "NULL_BIN", "G85Bin", "G85Map", "g85_text"]

NULL_BIN = "."
ORIGIN_UPPER_LEFT = 2
ORIENTATION_DOWN = 0
G85_CONVENTION = (
    "Row 0 is the top row (farthest from the flat or notch) and the first Row element; "
    "column 0 is the left column; as seen on the wafer front with the flat or notch down. "
    f"OriginLocation {ORIGIN_UPPER_LEFT} = that upper-left origin; Orientation "
    f"{ORIENTATION_DOWN} = flat or notch at the bottom (6 o'clock). One character per die "
    f"site; '{NULL_BIN}' = no die. ReferenceDevice = the die nearest the wafer centre "
    "(column, row); RefDevicePosX/Y = its centre relative to the wafer centre, um.")


@dataclass(frozen=True)
class G85Bin:
    """One bin code of the map.

    Args:
        code: one ASCII character.
        quality: "Pass", "Fail" or "Null".
        description: what the code means.
    """

    code: str
    quality: str
    description: str


@dataclass(frozen=True)
class G85Map:
    """A wafer map.

    Args:
        substrate_id: the wafer id.
        product_id: the product (design name).
        wafer_size_mm: the wafer diameter.
        device_um: the die step (x, y).
        rows: one string per row, row 0 first, one bin character per column.
        bins: the bin codes used.
        reference: (column, row) of the reference die.
        reference_um: that die's centre relative to the wafer centre.
        create_date: the date of the design (YYYY-MM-DD).
    """

    substrate_id: str
    product_id: str
    wafer_size_mm: float
    device_um: tuple[float, float]
    rows: Sequence[str]
    bins: Sequence[G85Bin]
    reference: tuple[int, int]
    reference_um: tuple[float, float]
    create_date: str


def g85_text(m: G85Map) -> str:
    """The map as G85 XML text.

    Args:
        m: the map.
    """
    columns = len(m.rows[0]) if m.rows else 0
    counts = {b.code: sum(r.count(b.code) for r in m.rows) for b in m.bins}
    date = m.create_date.replace("-", "") + "000000000"
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f"<!-- {escape(G85_CONVENTION)} -->",
           "<Maps>",
           f'  <Map SubstrateType="Wafer" SubstrateId={quoteattr(m.substrate_id)} '
           'FormatRevision="SEMI G85 0703">',
           f'    <Device ProductId={quoteattr(m.product_id)} LotId="" '
           f'WaferSize="{m.wafer_size_mm:g}" CreateDate="{date}" '
           f'DeviceSizeX="{m.device_um[0]:g}" DeviceSizeY="{m.device_um[1]:g}" '
           f'OriginLocation="{ORIGIN_UPPER_LEFT}" Orientation="{ORIENTATION_DOWN}" '
           f'BinType="ASCII" NullBin="{NULL_BIN}" Rows="{len(m.rows)}" '
           f'Columns="{columns}" MapType="Array">',
           f'      <ReferenceDevice ReferenceDeviceX="{m.reference[0]}" '
           f'ReferenceDeviceY="{m.reference[1]}" RefDevicePosX="{m.reference_um[0]:g}" '
           f'RefDevicePosY="{m.reference_um[1]:g}"/>']
    for b in m.bins:
        out.append(f'      <Bin BinCode={quoteattr(b.code)} BinCount="{counts[b.code]}" '
                   f'BinQuality={quoteattr(b.quality)} '
                   f'BinDescription={quoteattr(b.description)}/>')
    out.append(f'      <Data MapName={quoteattr(m.product_id)} MapVersion="1">')
    out.extend(f"        <Row><![CDATA[{row}]]></Row>" for row in m.rows)
    out += ["      </Data>", "    </Device>", "  </Map>", "</Maps>"]
    return "\n".join(out) + "\n"
