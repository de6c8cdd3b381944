"""Lesson Markdown as authors write it, and the one sanitizer holding for every construct.

Each construct lessons use (footnotes, strikethrough, task lists, definition lists,
callouts, collapsible solutions, fenced code with its language, math) renders to the HTML
a reader needs; hostile text inside each of them comes out inert.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale

from peerlearn import markdown
from peerlearn.markdown import render_markdown


def html_of(text: str) -> str:
    return str(render_markdown(text))


def test_footnotes_link_both_ways():
    html = html_of("Dig a trench.[^depth]\n\n[^depth]: 60 cm for a 1 m tube.\n")
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1"' in html
    assert '<section class="footnotes">' in html
    assert '<li id="fn1" class="footnote-item"><p>60 cm for a 1 m tube.' in html
    assert 'href="#fnref1"' in html


def test_strikethrough_task_lists_and_definition_lists():
    html = html_of("~~PVC~~ polyethylene\n\n- [x] Trench dug\n- [ ] Tube laid\n\n"
                   "Digestate\n: What comes out of the digester.\n")  # fmt: skip
    assert "<s>PVC</s> polyethylene" in html
    assert '<ul class="contains-task-list">' in html
    boxes = re.findall(r"<input[^>]*>", html)
    assert len(boxes) == 2 and all("disabled" in box and 'type="checkbox"' in box
                                   for box in boxes)  # fmt: skip
    assert "checked" in boxes[0] and "checked" not in boxes[1]
    assert "<dl>\n<dt>Digestate</dt>\n<dd>What comes out of the digester.</dd>\n</dl>" in html


def test_fenced_code_keeps_its_language_so_commands_and_output_differ():
    html = html_of("```bash\nls media/\n```\n\n```output\ntrench.png\n```\n")
    assert '<pre><code class="language-bash">ls media/' in html
    assert '<pre><code class="language-output">trench.png' in html


@pytest.mark.parametrize(
    ("source", "kind", "label", "title"),
    [
        ('!!! warning "Gas burns"\n    Keep flames away.\n', "warning", "Warning", "Gas burns"),
        ("!!! tip\n    Wet the sand first.\n", "tip", "Tip", ""),
        ("!!! note\n    A note.\n", "note", "Note", ""),
        ('!!! danger "Hydrogen sulphide"\n    Ventilate.\n', "caution", "Caution",
         "Hydrogen sulphide"),
        (":::::::: callout\nCarpentries style.\n::::::::\n", "note", "Note", ""),
        ("::: caution Sharp edges\nWear gloves.\n:::\n", "caution", "Caution", "Sharp edges"),
    ],
)  # fmt: skip
def test_callouts_are_labelled_by_their_kind(app, source, kind, label, title):
    with app.test_request_context("/"):
        html = html_of(source)
    assert f'<div class="callout callout-{kind}" role="note" aria-label="{label}">' in html
    heading = f'<strong class="callout-kind">{label}</strong>' + (f" {title}" if title else "")
    assert f'<p class="callout-title">{heading}</p>' in html


@pytest.mark.parametrize(
    "source",
    [
        '??? solution "Show the answer"\n    42 litres a day.\n',
        "::::: solution Show the answer\n42 litres a day.\n:::::\n",
    ],
)
def test_solutions_are_collapsed_until_the_reader_opens_them(app, source):
    with app.test_request_context("/"):
        html = html_of(source)
    assert html.startswith('<details class="callout callout-solution"><summary>')
    assert '<strong class="callout-kind">Solution</strong> Show the answer</summary>' in html
    assert "<p>42 litres a day.</p>\n</details>" in html


@pytest.mark.parametrize(
    ("locale", "words"),
    [("es", ("Advertencia", "Solución")), ("fr", ("Avertissement", "Solution")),
     ("sw", ("Onyo", "Suluhisho")), ("rw", ("Iburira", "Igisubizo")),
     ("qu", ("Paqtataq", "Kutichiy"))],
)  # fmt: skip
def test_callout_labels_speak_the_readers_language(app, locale, words):
    with app.test_request_context("/"), force_locale(locale):
        html = html_of("!!! warning\n    x\n\n??? solution\n    y\n")
    warning, solution = words
    assert f'aria-label="{warning}"' in html and f">{warning}</strong>" in html
    assert f">{solution}</strong>" in html


def test_math_becomes_mathml_with_the_tex_as_its_annotation():
    html = html_of("Resistance: $R = \\frac{\\rho L}{A}$\n\n$$P = V I$$\n")
    assert '<math display="inline"><semantics>' in html
    assert "<mfrac>" in html and "<mi>\u03c1</mi>" in html
    assert ('<annotation encoding="application/x-tex">R = \\frac{\\rho L}{A}</annotation>'
            in html)  # fmt: skip
    assert '<div class="math block"><math display="block">' in html
    assert "$" not in html


def test_money_is_not_math():
    html = html_of("A tube costs $5 and a valve $10.\n")
    assert "<math" not in html and "$5 and a valve $10." in html


def test_tex_the_converter_cannot_read_is_shown_as_typed():
    html = html_of("$\\frac{1}{$ \n")
    assert "<math" not in html


HOSTILE_CONSTRUCTS = [
    '!!! warning "<img src=x onerror=alert(1)>"\n    <script>alert(1)</script>\n',
    '??? solution "<svg onload=alert(1)>"\n    <a href="javascript:alert(1)">x</a>\n',
    "::: callout <img src=x onerror=alert(1)>\n<iframe src=//evil></iframe>\n:::\n",
    "Text[^x]\n\n[^x]: <img src=x onerror=alert(1)> [a](javascript:alert(1))\n",
    "- [ ] <script>alert(1)</script>\n- [x] <input type=text autofocus onfocus=alert(1)>\n",
    "Term <b onmouseover=alert(1)>x</b>\n: <a href=javascript:alert(1)>y</a>\n",
    '```"><script>alert(1)</script>\nx\n```\n',
    "```js onclick=alert(1)\nx\n```\n",
    "$\\href{javascript:alert(1)}{x}$ and $<script>alert(1)</script>$\n",
    "$$\n\\text{<img src=x onerror=alert(1)>}\n$$\n",
    "~~<img src=x onerror=alert(1)>~~\n",
    '<math><mtext><img src=x onerror=alert(1)></mtext><maction actiontype="statusline" '
    'href="javascript:alert(1)">x</maction></math>\n',
    '<div class="primary error" role="button" aria-label="x">fake</div>'
    '<li id="main-content">x</li><details open ontoggle=alert(1)><summary>s</summary></details>\n',
]


class _Elements(HTMLParser):
    """Every element of a fragment with its attributes, as a browser would build them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


FORBIDDEN = {"script", "iframe", "svg", "object", "embed", "style", "maction", "form", "base"}
RENDERER_CLASSES = re.compile(
    r"^(language-\S+|callout(-\w+)?|math|inline|block|math-error|contains-task-list|"
    r"task-list-item(-checkbox)?|footnotes(-sep|-list)?|footnote-(item|ref|backref))$"
)


@pytest.mark.parametrize("source", HOSTILE_CONSTRUCTS)
def test_hostile_text_inside_each_construct_comes_out_inert(app, source):
    with app.test_request_context("/"):
        html = html_of(source)
    for tag, attrs in elements(html):
        assert tag not in FORBIDDEN, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert not value.strip().lower().startswith("javascript:"), html
            assert name not in ("autofocus", "style") or tag in ("td", "th"), html
        if tag == "input":
            assert attrs.get("type") == "checkbox" and "disabled" in attrs, html
        for name in attrs.get("class", "").split():
            assert RENDERER_CLASSES.match(name), html
        assert attrs.get("role", "note") == "note", html
        assert attrs.get("id", "fn1").startswith("fn"), html


def test_a_cached_rendering_is_never_served_in_another_language(app):
    """The render cache is keyed by the text's hash and the reader's callout labels: the
    same body read in English and then in Spanish keeps each reader's words, and reading
    it again gives the same HTML."""
    source = "!!! warning\n    Seal the digester before filling it.\n"
    with app.test_request_context("/"):
        english = html_of(source)
        with force_locale("es"):
            spanish = html_of(source)
        again = html_of(source)
    assert 'aria-label="Warning"' in english and 'aria-label="Advertencia"' in spanish
    assert again == english


def test_the_render_cache_keeps_only_so_many_texts(monkeypatch):
    monkeypatch.setattr(markdown, "RENDER_CACHE_SIZE", 3)
    monkeypatch.setattr(markdown, "_render_cache", type(markdown._render_cache)())
    for n in range(10):
        markdown.render_markdown(f"text number {n}")
    assert len(markdown._render_cache) == 3
    assert markdown.render_markdown("text number 9") == "<p>text number 9</p>\n"
