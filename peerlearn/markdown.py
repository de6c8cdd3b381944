"""The one place where user Markdown becomes HTML that is safe to put in a page.

Markdown (CommonMark plus tables) is rendered by markdown-it-py, then everything it
produced, including any raw HTML the author typed, is passed through nh3 with an
allowlist. Nothing else in the code base may mark user text as safe.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import nh3
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from peerlearn.i18n import pgettext

#: MathML Core's presentation elements (what latex2mathml writes), plus the annotation
#: that keeps the TeX for screen readers and copy-paste.
MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "mfrac", "msqrt", "mroot", "msub", "msup", "msubsup", "munder", "mover", "munderover",
    "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "merror",
}  # fmt: skip
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "input", "kbd", "li", "ol", "p", "pre", "s", "section", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    *MATHML_TAGS,
}  # fmt: skip
_CLASSED = ("a", "code", "details", "div", "hr", "input", "li", "p", "section", "span",
            "strong", "sup", "ul")  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
    "li": {"id", "class"},
    "sup": {"id", "class"},
    "div": {"class", "role", "aria-label"},
    "input": {"type", "checked", "disabled", "class"},
    "math": {"display"},
    "annotation": {"encoding"},
    "mo": {"stretchy", "fence", "separator", "lspace", "rspace"},
    "mspace": {"width"},
    "mstyle": {"displaystyle", "scriptlevel"},
    "mtd": {"columnalign"},
    "menclose": {"notation"},
    **{tag: {"class"} for tag in ("code", "details", "hr", "p", "section", "span", "strong",
                                  "ul")},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}  # fmt: skip
#: Relative links stay allowed; ``javascript:``, ``data:`` and the rest are dropped.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
#: Table cell alignment is the only inline style markdown-it writes.
ALLOWED_STYLE_PROPERTIES = {"text-align"}

#: The class names the renderer writes; an author's own ``class`` attributes are dropped
#: unless they are one of these, so raw HTML cannot borrow the site's styles (a fake
#: "error" or "primary" button) or hide text.
_ALLOWED_CLASS = re.compile(
    r"^(?:language-[A-Za-z0-9_+#.-]{1,30}|callout|callout-(?:note|tip|warning|caution|solution)"
    r"|callout-title|callout-kind|math|inline|block|math-error|contains-task-list"
    r"|task-list-item|task-list-item-checkbox|footnotes|footnotes-sep|footnotes-list"
    r"|footnote-item|footnote-ref|footnote-backref)$"
)
#: Footnote anchors (``fn1``, ``fnref1:2``): the only ids besides headings' own.
_FOOTNOTE_ID = re.compile(r"^fn(?:ref)?\d{1,4}(?::\d{1,3})?$")

#: The callout kinds and the names authors use for them in the formats lessons come from
#: (MkDocs admonitions, the Carpentries' fenced divs, GitHub alerts).
CALLOUT_KINDS: Mapping[str, str] = {
    "note": "note", "info": "note", "callout": "note", "abstract": "note",
    "summary": "note", "objectives": "note", "questions": "note", "keypoints": "note",
    "prereq": "note", "discussion": "note", "checklist": "note", "quote": "note",
    "example": "note", "testimonial": "note", "instructor": "note", "important": "note",
    "tip": "tip", "hint": "tip", "success": "tip", "challenge": "tip", "question": "tip",
    "warning": "warning", "attention": "warning", "bug": "warning", "failure": "warning",
    "caution": "caution", "danger": "caution", "error": "caution",
    "solution": "solution", "answer": "solution", "details": "solution",
    "spoiler": "solution",
}  # fmt: skip


#: The callout kinds a label exists for (the values of the alias table above).
LABELLED_KINDS = ("note", "tip", "warning", "caution", "solution")


def callout_label(kind: str) -> str:
    """The kind's name in the reader's language: what a screen reader announces first."""
    labels = {
        "note": pgettext("callout", "Note"),
        "tip": pgettext("callout", "Tip"),
        "warning": pgettext("callout", "Warning"),
        "caution": pgettext("callout", "Caution"),
        "solution": pgettext("callout", "Solution"),
    }
    return str(labels[kind])


def _math_html(tex: str, display: bool) -> str:
    """TeX as MathML, the TeX kept as its annotation; unreadable TeX is shown as code."""
    try:
        converted = latex_to_mathml(tex)
    except Exception:  # any TeX the converter cannot read: show it as typed
        return f'<code class="math-error">{html_lib.escape(tex)}</code>'
    inner = converted[converted.index(">") + 1 : converted.rindex("</math>")]
    mode = "block" if display else "inline"
    return (
        f'<math display="{mode}"><semantics><mrow>{inner}</mrow>'
        f'<annotation encoding="application/x-tex">{html_lib.escape(tex)}</annotation>'
        "</semantics></math>"
    )


def _render_math_inline(self: Any, tokens: Sequence[Token], idx: int, *args: Any) -> str:
    return _math_html(tokens[idx].content, display=False)


def _render_math_block(self: Any, tokens: Sequence[Token], idx: int, *args: Any) -> str:
    return f'<div class="math block">{_math_html(tokens[idx].content.strip(), True)}</div>\n'


def _callout_kind(name: str) -> str:
    return CALLOUT_KINDS.get(name.strip().lower(), "note")


def _callout_open(kind: str, title: str, collapsed: bool) -> str:
    """A callout's opening: labelled for assistive technology by its kind, in words."""
    label = html_lib.escape(callout_label(kind))
    heading = f'<strong class="callout-kind">{label}</strong>'
    if title.strip().lower() in CALLOUT_KINDS:  # "!!! tip" titles itself "Tip": said once
        title = ""
    if title:
        heading += " " + html_lib.escape(title)
    if kind == "solution" or collapsed:
        return f'<details class="callout callout-{kind}"><summary>{heading}</summary>\n'
    return (
        f'<div class="callout callout-{kind}" role="note" aria-label="{label}">'
        f'<p class="callout-title">{heading}</p>\n'
    )


def _callout_close(kind: str, collapsed: bool) -> str:
    return "</details>\n" if kind == "solution" or collapsed else "</div>\n"


def _render_admonition_open(self: Any, tokens: Sequence[Token], idx: int, *args: Any) -> str:
    token = tokens[idx]
    tag = str(token.meta.get("tag", "note"))
    kind = _callout_kind(tag)
    collapsed = token.markup.startswith("???")
    token.meta["kind"], token.meta["collapsed"] = kind, collapsed
    title_index = idx + 2
    title = ""
    if title_index < len(tokens) and tokens[idx + 1].type == "admonition_title_open":
        title = tokens[title_index].content
        tokens[title_index].children = []  # the title is written into the heading above
    return _callout_open(kind, title, collapsed)


def _render_admonition_close(self: Any, tokens: Sequence[Token], idx: int, *args: Any) -> str:
    depth = 0
    for token in reversed(tokens[:idx]):
        if token.type == "admonition_close":
            depth += 1
        elif token.type == "admonition_open":
            if depth == 0:
                return _callout_close(str(token.meta["kind"]), bool(token.meta["collapsed"]))
            depth -= 1
    return "</div>\n"


def _hidden(self: Any, tokens: Sequence[Token], idx: int, *args: Any) -> str:
    return ""


def _render_container(name: str) -> Callable[..., str]:
    def render(self: Any, tokens: Sequence[Token], idx: int, *args: Any) -> str:
        token = tokens[idx]
        kind = _callout_kind(name)
        if token.nesting == 1:
            title = token.info.strip()[len(name) :].strip()
            return _callout_open(kind, title, collapsed=False)
        return _callout_close(kind, collapsed=False)

    return render


def _build_parser() -> MarkdownIt:
    """CommonMark plus what lessons use: tables, strikethrough, footnotes, definition
    lists, task lists, ``$``/``$$`` math, and callouts written as MkDocs admonitions
    (``!!! note``, ``??? solution``) or as fenced divs (``::: callout``)."""
    parser = (
        MarkdownIt("commonmark", {"html": True, "linkify": False})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
        .use(deflist_plugin)
        .use(tasklists_plugin)
        # Pandoc's rule: "$5 and $10" is money, "$x$" is math.
        .use(dollarmath_plugin, allow_space=False, allow_digits=False, allow_labels=False)
        .use(admon_plugin)
    )
    for name in CALLOUT_KINDS:
        parser.use(container_plugin, name=name, render=_render_container(name))
    for name, rule in (
        ("math_inline", _render_math_inline),
        ("math_inline_double", _render_math_block),
        ("math_block", _render_math_block),
        ("admonition_open", _render_admonition_open),
        ("admonition_close", _render_admonition_close),
        ("admonition_title_open", _hidden),
        ("admonition_title_close", _hidden),
    ):
        parser.add_render_rule(name, rule)
    return parser


_parser = _build_parser()

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


#: How many rendered texts each process keeps. A module page renders its body on every
#: view although the body only changes with a new revision; parsing and sanitising is most
#: of that page's work. 512 bodies of a few KB each stay well inside the memory budget.
RENDER_CACHE_SIZE = 512
_render_cache: OrderedDict[tuple[bytes, tuple[str, ...]], str] = OrderedDict()
_render_cache_lock = threading.Lock()


def _cache_key(text: str) -> tuple[bytes, tuple[str, ...]]:
    """The text's hash, and the callout labels it would be rendered with: the output
    depends on the reader's language (and on community translations) only through them."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()
    return digest, tuple(callout_label(kind) for kind in LABELLED_KINDS)


def render_markdown(text: str, rewrite_image: LinkRewriter | None = None) -> Markup:
    """Render user Markdown to sanitized HTML.

    ``rewrite_image`` maps an image path as written in the course bundle (for example
    ``media/trench.png``) to the URL the browser should load. Without it the result is a
    function of the text and the reader's callout labels, so it is kept in a small
    per-process cache keyed by the text's hash (see :data:`RENDER_CACHE_SIZE`).
    """
    if rewrite_image is not None:
        return Markup(_render(text, rewrite_image))
    key = _cache_key(text)
    with _render_cache_lock:
        cached = _render_cache.get(key)
        if cached is not None:
            _render_cache.move_to_end(key)
            return Markup(cached)
    html = _render(text, None)
    with _render_cache_lock:
        _render_cache[key] = html
        if len(_render_cache) > RENDER_CACHE_SIZE:
            _render_cache.popitem(last=False)
    return Markup(html)


def _render(text: str, rewrite_image: LinkRewriter | None) -> str:
    tokens = _parser.parse(text)
    _add_heading_anchors(tokens)
    _rewrite_images(tokens, rewrite_image)
    return sanitize_html(_parser.renderer.render(tokens, _parser.options, {}))


#: Called as ``(tag, attribute, value)`` for each allowed attribute: the value to keep, or
#: None to drop the attribute.
AttributeFilter = Callable[[str, str, str], str | None]


def _house_attribute(tag: str, attribute: str, value: str) -> str | None:
    """The rules an allowlist of names cannot say: which classes, ids and inputs."""
    if attribute == "class":
        kept = [name for name in value.split() if _ALLOWED_CLASS.match(name)]
        return " ".join(kept) or None
    if attribute == "id" and tag in ("li", "a", "sup"):
        return value if _FOOTNOTE_ID.match(value) else None
    if tag == "input":
        if attribute == "type":
            return "checkbox" if value == "checkbox" else None
        return "disabled" if attribute == "disabled" else value
    if tag == "div" and attribute == "role":
        return "note" if value == "note" else None
    return value


def sanitize_html(html: str, attribute_filter: AttributeFilter | None = None) -> str:
    """``html`` through the allowlist; ``attribute_filter`` may rewrite or drop values."""

    def attribute(tag: str, name: str, value: str) -> str | None:
        kept = _house_attribute(tag, name, value)
        if kept is None or attribute_filter is None:
            return kept
        return attribute_filter(tag, name, kept)

    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        filter_style_properties=ALLOWED_STYLE_PROPERTIES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=attribute,
    )
    return _disable_inputs(cleaned)


_INPUT = re.compile(r"<input\b([^>]*)>")


def _disable_inputs(html: str) -> str:
    """A task list's boxes show state; they are never a form control a reader can use,
    and no other kind of input survives."""

    def keep(match: re.Match[str]) -> str:
        attributes = match.group(1)
        if 'type="checkbox"' not in attributes:
            return ""
        return match.group(0) if "disabled" in attributes else f"<input{attributes} disabled>"

    return _INPUT.sub(keep, html)
