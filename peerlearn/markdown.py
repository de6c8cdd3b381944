"""The one place where user Markdown becomes HTML that is safe to put in a page.

Markdown (CommonMark plus tables) is rendered by markdown-it-py, then everything it
produced, including any raw HTML the author typed, is passed through nh3 with an
allowlist. Nothing else in the code base may mark user text as safe.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
#: Relative links stay allowed; ``javascript:``, ``data:`` and the rest are dropped.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
#: Table cell alignment is the only inline style markdown-it writes.
ALLOWED_STYLE_PROPERTIES = {"text-align"}

_parser = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")

LinkRewriter = Callable[[str], str]


def slugify_heading(text: str) -> str:
    """A readable anchor for a heading, keeping letters of every script ("señal-y-ruido")."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w\s-]", "", text)
    slug = re.sub(r"[\s_-]+", "-", text).strip("-")
    return slug or "section"


def _add_heading_anchors(tokens: list[Token]) -> None:
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        text = "".join(child.content for child in inline.children or [] if child.content)
        slug = slugify_heading(text)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        token.attrSet("id", slug if count == 0 else f"{slug}-{count + 1}")


def _rewrite_images(tokens: list[Token], rewrite: LinkRewriter | None) -> None:
    for token in tokens:
        for child in token.children or []:
            if child.type != "image":
                continue
            src = str(child.attrGet("src") or "")
            if rewrite is not None:
                child.attrSet("src", rewrite(src))
            child.attrSet("loading", "lazy")


def render_markdown(text: str, rewrite_image: LinkRewriter | None = None) -> Markup:
    """Render user Markdown to sanitized HTML.

    ``rewrite_image`` maps an image path as written in the course bundle (for example
    ``media/trench.png``) to the URL the browser should load.
    """
    tokens = _parser.parse(text)
    _add_heading_anchors(tokens)
    _rewrite_images(tokens, rewrite_image)
    html = _parser.renderer.render(tokens, _parser.options, {})
    return Markup(sanitize_html(html))


#: Called as ``(tag, attribute, value)`` for each allowed attribute: the value to keep, or
#: None to drop the attribute.
AttributeFilter = Callable[[str, str, str], str | None]


def sanitize_html(html: str, attribute_filter: AttributeFilter | None = None) -> str:
    """``html`` through the allowlist; ``attribute_filter`` may rewrite or drop values."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        filter_style_properties=ALLOWED_STYLE_PROPERTIES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=attribute_filter,
    )
