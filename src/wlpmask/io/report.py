"""A self-contained HTML report: headings, paragraphs, tables, images and links.

Everything it names is a file beside it (relative links, inline style, no script), so the
report opens offline from its folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

__all__ = ["Heading", "Image", "Links", "Para", "Table", "html_page"]

_STYLE = """body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.2em .6em;
text-align:left;font-size:.9em}th{background:#f0f0f0}.bad{color:#b00020;font-weight:bold}
figure{display:inline-block;margin:.4em;vertical-align:top}img{max-width:520px;
border:1px solid #ddd}figcaption{font-size:.85em}"""


@dataclass(frozen=True)
class Heading:
    """A section heading."""

    text: str


@dataclass(frozen=True)
class Para:
    """A paragraph of text."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table; cells are text, a (text, href) link, or (text, "bad") for a failure.

    Args:
        header: the column names.
        rows: the rows.
    """

    header: Sequence[str]
    rows: Sequence[Sequence]


@dataclass(frozen=True)
class Image:
    """An image file beside the report, with a caption.

    Args:
        src: the file, relative to the report.
        caption: what it shows.
    """

    src: str
    caption: str


@dataclass(frozen=True)
class Links:
    """A list of links to files beside the report: (file, text)."""

    items: Sequence[tuple[str, str]]


def _href(path: str) -> str:
    return escape(quote(path, safe="/._-"), quote=True)


def _cell(c) -> str:
    if isinstance(c, tuple) and c[1] == "bad":
        return f'<td class="bad">{escape(str(c[0]))}</td>'
    if isinstance(c, tuple):
        return f'<td><a href="{_href(c[1])}">{escape(str(c[0]))}</a></td>'
    return f"<td>{escape(str(c))}</td>"


def html_page(title: str, blocks: Sequence) -> str:
    """The report page.

    Args:
        title: the page title.
        blocks: Heading, Para, Table, Image and Links blocks, in order.
    """
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
           f"<h1>{escape(title)}</h1>"]
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"<h2>{escape(b.text)}</h2>")
        elif isinstance(b, Para):
            out.append(f"<p>{escape(b.text)}</p>")
        elif isinstance(b, Table):
            out.append("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in b.header)
                       + "</tr>")
            out += ["<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in b.rows]
            out.append("</table>")
        elif isinstance(b, Image):
            out.append(f'<figure><img src="{_href(b.src)}" alt="{escape(b.caption)}">'
                       f"<figcaption>{escape(b.caption)}</figcaption></figure>")
        elif isinstance(b, Links):
            out.append("<ul>" + "".join(f'<li><a href="{_href(f)}">{escape(t)}</a></li>'
                                        for f, t in b.items) + "</ul>")
        else:
            raise TypeError(f"unknown report block {type(b).__name__}")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
