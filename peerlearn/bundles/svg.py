"""SVG figures reduced to drawing: what a manual's diagram needs, and nothing that runs.

Diagrams in real manuals are mostly SVG, and an SVG is a document that can carry scripts,
event handlers, links to ``javascript:``, animations that rewrite a link, embedded HTML
(``foreignObject``) and references to other servers. Serving it only through ``<img>`` (where
browsers never run its scripts) would not be enough: a learner can open the file itself,
from the site or from an offline package on ``file://``, where no response header protects
it. So an SVG is cut down once, at import, to an allowlist of drawing elements and
attributes; what is stored, served and packaged is that drawing. The site also serves SVG
with ``Content-Security-Policy: sandbox`` as a second wall.

A file that is already only drawing is stored byte for byte (so export gives back the same
bytes); one that had more is stored as its cleaned serialization. A DOCTYPE (entity
declarations: the billion-laughs expansion, external entities) is refused, as is anything
that is not an SVG document. This module is pure: no Flask, no database.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

#: Drawing, text and paint-server elements. No script, style, foreignObject, image, a,
#: animate/set (which can rewrite an href to ``javascript:``), iframe, or anything outside
#: the SVG namespace (an editor's metadata: Inkscape, Sodipodi, RDF).
ELEMENTS = frozenset({
    "svg", "g", "defs", "title", "desc", "symbol", "use", "path", "rect", "circle",
    "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath", "linearGradient",
    "radialGradient", "stop", "clipPath", "mask", "pattern", "marker",
})  # fmt: skip
#: Geometry, text layout and presentation attributes. Event handlers (``on*``) and any
#: attribute in another namespace are dropped; ``href`` is kept only as a ``#fragment``.
ATTRIBUTES = frozenset({
    "id", "class", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx",
    "cy", "r", "rx", "ry", "d", "points", "transform", "version", "preserveAspectRatio",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset",
    "stroke-miterlimit", "opacity", "color", "display", "visibility", "font-family",
    "font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline",
    "letter-spacing", "dx", "dy", "rotate", "textLength", "lengthAdjust", "offset",
    "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod",
    "fx", "fy", "clip-path", "clip-rule", "clipPathUnits", "mask", "maskUnits",
    "maskContentUnits", "patternUnits", "patternContentUnits", "patternTransform",
    "marker-start", "marker-mid", "marker-end", "markerWidth", "markerHeight", "refX",
    "refY", "orient", "markerUnits", "vector-effect", "style", "role", "aria-label",
    "aria-hidden", "startOffset", "href", "lang",
})  # fmt: skip
#: ``url(...)`` may only point inside the drawing (a gradient, a clip path, a marker).
_URL = re.compile(r"url\s*\(\s*(['\"]?)(?!#)", re.IGNORECASE)
_STYLE_FORBIDDEN = re.compile(r"@import|expression\s*\(|\\|javascript:|behavior\s*:", re.I)
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class SvgRefused(Exception):
    """Not an SVG document that can be made safe; ``reason`` is a short English phrase."""

    reason: str


def clean_svg(content: bytes) -> bytes:
    """The drawing of ``content``: the same bytes when nothing had to go."""
    if _DOCTYPE.search(content):
        raise SvgRefused("an SVG with a DOCTYPE or entity declarations is refused")
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        raise SvgRefused("is not a well-formed SVG document") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise SvgRefused("is not an SVG document (its root is not <svg>)")
    if not _clean_element(root):
        return content
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _clean_element(element: ET.Element) -> bool:
    """Drop what is not drawing below and on ``element``; True if anything went."""
    changed = False
    for name, value in list(element.attrib.items()):
        kept = _attribute(name, value)
        if kept is None:
            del element.attrib[name]
            changed = True
        elif kept != value:
            element.attrib[name] = kept
            changed = True
    for child in list(element):
        if not _allowed_element(child.tag):
            element.remove(child)
            changed = True
        elif _clean_element(child):
            changed = True
    return changed


def _allowed_element(tag: object) -> bool:
    if not isinstance(tag, str) or not tag.startswith(f"{{{SVG_NS}}}"):
        return False  # comments, processing instructions, other namespaces
    return tag.removeprefix(f"{{{SVG_NS}}}") in ELEMENTS


def _attribute(name: str, value: str) -> str | None:
    """The value to keep for an attribute, or None to drop it."""
    if name == f"{{{XLINK_NS}}}href" or name == "href":
        return value if value.strip().startswith("#") else None
    if name == f"{{{XML_NS}}}lang":
        return value
    if name.startswith("{") or name not in ATTRIBUTES or name.lower().startswith("on"):
        return None
    if _URL.search(value):
        return None
    if name == "style" and _STYLE_FORBIDDEN.search(value):
        return None
    return value
