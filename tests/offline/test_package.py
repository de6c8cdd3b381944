"""Offline course packages: a zip of static pages that works from the file system."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from html.parser import HTMLParser

import pytest
from PIL import Image
from sqlalchemy import func, select

from peerlearn import jobs
from peerlearn.authoring.bundle_io import import_bundle
from peerlearn.authoring.module_document import MODULE
from peerlearn.bundles.format import CourseBundle, MediaFile, ModuleDoc
from peerlearn.content.models import Module
from peerlearn.content.revisions import save_edit
from peerlearn.extensions import db
from peerlearn.offline import package as package_module
from peerlearn.offline.links import PackageLinks, resolve_url
from peerlearn.offline.models import OfflinePackage
from peerlearn.offline.package import review_settings
from tests.settings import ROOT


class _Links(HTMLParser):
    """Every href and src of a page, the ids it defines, and its tags."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()
        self.tags: set[str] = set()
        self.html_lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.urls.append(value)
            if name == "id" and value:
                self.ids.add(value)
            if tag == "html" and name == "lang":
                self.html_lang = value or ""


def parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def download(client, slug: str, **kwargs):
    response = client.get(f"/courses/{slug}/offline.zip", **kwargs)
    assert response.status_code == 200, response.status_code
    return response, zipfile.ZipFile(io.BytesIO(response.data))


def pages(archive: zipfile.ZipFile) -> dict[str, str]:
    return {
        name: archive.read(name).decode() for name in archive.namelist() if name.endswith(".html")
    }


def test_sample_courses_become_complete_packages(client, sample_courses):
    assert len(sample_courses) == 3
    stylesheet = (ROOT / "peerlearn" / "static" / "style.css").read_bytes()
    for course in sample_courses:
        bundle = ROOT / "courses" / course.slug
        _, archive = download(client, course.slug)
        names = set(archive.namelist())
        expected = {f"{course.slug}/{name}" for name in ("index.html", "style.css", "LICENSE.txt")}
        expected |= {
            f"{course.slug}/modules/{path.stem}.html" for path in (bundle / "modules").glob("*.md")
        }
        expected |= {
            f"{course.slug}/assignments/{path.stem}.html"
            for path in (bundle / "assignments").glob("*.yml")
        }
        expected |= {f"{course.slug}/media/{path.name}" for path in (bundle / "media").iterdir()}
        assert names == expected
        assert archive.read(f"{course.slug}/style.css") == stylesheet
        for path in (bundle / "media").iterdir():
            assert archive.read(f"{course.slug}/media/{path.name}") == path.read_bytes()
        index = archive.read(f"{course.slug}/index.html").decode()
        assert f"<h1>{course.title}</h1>" in index
        for module in (bundle / "modules").glob("*.md"):
            assert f'href="modules/{module.stem}.html"' in index


def test_every_link_stays_inside_the_package(client, sample_courses):
    for course in sample_courses:
        _, archive = download(client, course.slug)
        names = set(archive.namelist())
        parsed = {name: parse(html) for name, html in pages(archive).items()}
        for name, page in parsed.items():
            assert page.html_lang == course.language, name
            assert not page.tags & {"script", "form", "iframe", "input", "button"}, name
            assert page.urls, name
            for url in page.urls:
                assert not url.startswith(("/", "http://127.0.0.1", "http://localhost")), url
                assert "javascript:" not in url
                if url.startswith(("https://", "mailto:")):
                    continue  # a licence or another website: fine to follow when online
                assert not url.startswith("http:"), url
                path, _, fragment = url.partition("#")
                target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path))
                if path:
                    assert target in names, f"{name}: {url}"
                if fragment:
                    assert fragment in parsed[target if path else name].ids, f"{name}: {url}"


def test_pages_carry_the_course_language_and_the_readers_interface_words(
    client, sample_courses, create_user, login
):
    _, archive = download(client, "cocinas-mejoradas", headers={"Accept-Language": "en"})
    index = archive.read("cocinas-mejoradas/index.html").decode()
    assert '<html lang="es">' in index
    assert '<h2 lang="en">Modules</h2>' in index and "Licence:" in index
    _, archive = download(client, "solar-home-systems", headers={"Accept-Language": "es"})
    index = archive.read("solar-home-systems/index.html").decode()
    assert '<html lang="en">' in index
    assert '<h2 lang="es">Módulos</h2>' in index and "Licencia:" in index
    login(create_user(locale="es"))
    _, archive = download(client, "solar-home-systems", headers={"Accept-Language": "en"})
    assert "Módulos" in archive.read("solar-home-systems/index.html").decode()


def test_module_pages_link_to_each_other_and_to_their_assignments(client, sample_courses):
    _, archive = download(client, "tubular-biogas-digester")
    folder = "tubular-biogas-digester/modules/"
    first = archive.read(folder + "01-how-biogas-works.html").decode()
    assert 'rel="prev"' not in first
    assert 'rel="next" href="../modules/02-sizing-your-digester.html"' in first
    assert "Module 1 of 6" in first
    fifth = archive.read(folder + "05-start-up-and-daily-operation.html").decode()
    assert 'rel="prev" href="../modules/04-installing-the-digester.html"' in fifth
    assert 'href="../assignments/gas-production-test.html"' in fifth
    last = archive.read(folder + "06-bioslurry-safety-and-troubleshooting.html").decode()
    assert 'rel="next"' not in last


def test_assignment_page_has_prompt_rubric_and_review_settings_in_words(
    client, create_course, create_assignment
):
    course = create_course("biogas", modules=[("Build", "Build it.")])
    create_assignment(
        course, slug="gas-test", title="Gas test", must_review=2, must_be_reviewed=1,
        self_assessment=True, anonymity="open", grading="median",
        submission_deadline="2027-03-01T18:00:00+00:00", flexible_after_days=5,
    )  # fmt: skip
    _, archive = download(client, "biogas")
    html = archive.read("biogas/assignments/gas-test.html").decode()
    assert "<h1>Gas test</h1>" in html
    assert "Build it, measure it and document it in your build log." in html
    assert '<table class="rubric">' in html and "Build quality" in html
    assert "0 points</strong> · Not shown: Nothing to see." in html
    assert "2 points</strong> · Sound: Built as described." in html
    assert "Submit by</dt><dd>Mar 1, 2027, " in html
    for sentence in (
        "You review 2 build logs of other learners.",
        "Each build log is reviewed by 1 other learner.",
        "after 5 days needs fewer of them.",
        "You also assess your own build log against the rubric.",
        "Reviewers and authors see each other&#39;s names.",
        "Your grade on each criterion is the median of your reviewers&#39; points.",
    ):
        assert sentence in html
    assert 'href="../modules/01-module-1.html"' in html
    index = archive.read("biogas/index.html").decode()
    assert 'href="assignments/gas-test.html"' in index


def test_review_settings_name_each_choice(app):
    from peerlearn.bundles.assignment_spec import Anonymity, AssignmentSpec, Grading

    spec = AssignmentSpec(
        id="a", slug="a", title="A", module="m", prompt="p", rubric=(),
        anonymity=Anonymity.DOUBLE_BLIND, grading=Grading.MODEL,
    )  # fmt: skip
    with app.test_request_context():
        sentences = review_settings(spec)
    assert sentences[0] == "You review 4 build logs of other learners."
    assert "neither the reviewer nor the author" in sentences[-2]
    assert "more weight to reviewers" in sentences[-1]


def test_module_markdown_is_sanitized(client, create_course):
    create_course(
        "risky",
        modules=[(
            "Risky",
            "Hello <script>alert('x')</script> world\n\n"
            "<img src=\"media/none.png\" onerror=\"alert(1)\">\n\n"
            "<a href=\"javascript:alert(2)\">click</a> <iframe src=\"https://evil.example\">"
            "</iframe>\n\n"
            "<form action=\"/login\"><input name=q></form>\n",
        )],
    )  # fmt: skip
    _, archive = download(client, "risky")
    html = archive.read("risky/modules/01-module-1.html").decode()
    assert "Hello" in html and "world" in html
    assert "click" in html
    for bad in ("<script", "alert(", "onerror", "javascript:", "<iframe", "<form", "<input"):
        assert bad not in html
    assert 'action="/login"' not in html


def test_links_to_the_site_become_links_inside_the_package(client, create_course):
    create_course("other")
    create_course(
        "biogas",
        modules=[
            ("One", (
                "[two](/courses/biogas/m/module-2#part-2) "
                "[two again](http://localhost/courses/biogas/m/module-2) "
                "[bundle file](02-module-2.md) [course](/courses/biogas) "
                "[other course](/courses/other) [login](/login) "
                "[far](https://example.org/page) [mail](mailto:ana@example.org) "
                "[here](#part-1) [nowhere](notes/missing.md)\n"
            )),
            ("Two", "## Part 2\n\nText.\n"),
        ],
    )  # fmt: skip
    _, archive = download(client, "biogas")
    html = archive.read("biogas/modules/01-module-1.html").decode()
    anchors = re.findall(r'<a(?: href="([^"]*)")?[^>]*>([^<]+)</a>', html)
    found = {text: href for href, text in anchors}
    assert found["two"] == "02-module-2.html#part-2"
    assert found["two again"] == "02-module-2.html"
    assert found["bundle file"] == "02-module-2.html"
    assert found["course"] == "../index.html"
    assert found["far"] == "https://example.org/page"
    assert found["mail"] == "mailto:ana@example.org"
    assert found["here"] == "#part-1"
    for dropped in ("other course", "login", "nowhere"):
        assert found[dropped] == "", dropped  # the text stays, the link goes


@pytest.mark.parametrize(
    ("url", "page_dir", "expected"),
    [
        ("media/a.png", "modules", "../media/a.png"),
        ("./media/a.png", "modules", "../media/a.png"),
        ("../media/a.png", "modules", "../media/a.png"),
        ("media/a.png", "", "media/a.png"),
        ("media/missing.png", "modules", None),
        ("/courses/c/media/a.png?v=abc", "assignments", "../media/a.png"),
        ("/site/courses/c/m/intro", "modules", None),
        ("https://peerlearn.example/courses/c/a/test", "modules", "../assignments/test.html"),
        ("HTTPS://PEERLEARN.EXAMPLE/courses/c", "modules", "../index.html"),
        ("//cdn.example/x.png", "modules", "https://cdn.example/x.png"),
        ("ftp://example.org/file", "modules", None),
        ("../../etc/passwd", "modules", None),
        ("assignments/test.yml", "modules", "../assignments/test.html"),
        ("modules/01-intro.md#step-2", "", "modules/01-intro.html#step-2"),
        ("01-intro.md", "modules", "01-intro.html"),
        ("", "modules", None),
    ],
)
def test_resolve_url(url, page_dir, expected):
    links = PackageLinks(
        course_slug="c",
        modules={"intro": "modules/01-intro.html"},
        assignments={"test": "assignments/test.html"},
        media={"media/a.png"},
        server_hosts={"peerlearn.example"},
    )
    assert resolve_url(url, page_dir, links)[0] == expected


def test_resolve_url_knows_the_sites_mount_point():
    links = PackageLinks(
        course_slug="c", modules={"intro": "modules/01-intro.html"}, assignments={}, media=(),
        script_root="/site",
    )  # fmt: skip
    assert resolve_url("/site/courses/c/m/intro", "", links) == (
        "modules/01-intro.html",
        "modules/01-intro.html",
    )
    assert resolve_url("/courses/c/m/intro", "", links) == (None, None)


@pytest.fixture
def course_with_images(app, db):
    def png(colour: str) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (4, 3), colour).save(buffer, "PNG")
        return buffer.getvalue()

    shown, unused = png("green"), png("red")
    import_bundle(
        CourseBundle(
            id="img", slug="img", title="With images", summary="s", language="en",
            licence="CC0-1.0", authors=("A",), tags=(),
            modules=(
                ModuleDoc("m1", 1, "one", "One", "![A trench](media/steps/trench.png)\n"),
                ModuleDoc("m2", 2, "two", "Two", '<img src="./media/steps/trench.png" alt="x">\n'),
            ),
            media=(
                MediaFile("media/steps/trench.png", shown),
                MediaFile("media/unused.png", unused),
            ),
        )
    )  # fmt: skip
    db.session.commit()
    return shown


def test_images_are_in_the_package_and_referenced_relatively(client, course_with_images):
    _, archive = download(client, "img")
    assert archive.read("img/media/steps/trench.png") == course_with_images
    assert "img/media/unused.png" not in archive.namelist()  # nobody would see it
    one = archive.read("img/modules/01-one.html").decode()
    assert '<img src="../media/steps/trench.png" alt="A trench" loading="lazy">' in one
    two = archive.read("img/modules/02-two.html").decode()
    assert '<img src="../media/steps/trench.png" alt="x">' in two
    assert archive.getinfo("img/media/steps/trench.png").compress_type == zipfile.ZIP_STORED


def test_attribution_and_licence_credit_the_whole_fork_chain(client, create_course):
    create_course(
        "original", title="Original manual", id="orig-1", authors=("Ana Quispe",),
        licence="CC-BY-4.0",
    )  # fmt: skip
    create_course(
        "adapted", title="Adapted manual", id="adapted-1", forked_from="orig-1",
        authors=("Jean Bosco",), licence="CC-BY-SA-4.0",
    )  # fmt: skip
    create_course(
        "adapted-again", title="Adapted again", forked_from="adapted-1",
        authors=("Wanjiru",), licence="CC-BY-SA-4.0",
    )  # fmt: skip
    _, archive = download(client, "adapted-again")
    licence = archive.read("adapted-again/LICENSE.txt").decode()
    assert "“Adapted again” by Wanjiru, Jean Bosco, Ana Quispe." in licence
    assert "Adapted from “Adapted manual”." in licence
    assert "Original course: “Original manual”." in licence
    assert "Creative Commons Attribution-ShareAlike 4.0" in licence
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in licence
    for name, html in pages(archive).items():
        assert "Wanjiru, Jean Bosco, Ana Quispe" in html, name
        assert 'rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/"' in html
        assert "Adapted manual" in html and "Original manual" in html
        assert "/courses/" not in html


def test_translation_says_translated_from(client, create_course):
    create_course("source", title="Source", id="src-1")
    create_course("traduccion", title="Traducción", translation_of="src-1", language="es")
    _, archive = download(client, "traduccion")
    index = archive.read("traduccion/index.html").decode()
    assert "Translation of</dt>" in index and "Translated from" in index


def test_download_headers_and_identical_bytes(client, sample_courses):
    first, archive = download(client, "solar-home-systems")
    again, _ = download(client, "solar-home-systems")
    assert first.data == again.data
    assert first.mimetype == "application/zip"
    assert first.headers["Content-Disposition"] == (
        "attachment; filename=solar-home-systems-offline.zip"
    )
    assert "private" in first.headers["Cache-Control"]
    assert {"Cookie", "Accept-Language"} <= {v.strip() for v in first.headers["Vary"].split(",")}
    assert first.headers["ETag"]
    cached = client.get(
        "/courses/solar-home-systems/offline.zip",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert cached.status_code == 304 and not cached.data
    names = archive.namelist()
    assert names == sorted(names)
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert all(name.startswith("solar-home-systems/") for name in names)
    assert archive.testzip() is None


def test_anyone_may_download_a_course_and_the_course_page_says_so(client, create_course):
    create_course("biogas")
    html = client.get("/courses/biogas").get_data(as_text=True)
    assert 'href="/courses/biogas/offline.zip"' in html
    assert "Download for offline use (zip)" in html
    assert client.get("/courses/biogas/offline.zip").status_code == 200


def test_missing_course_is_404(client):
    assert client.get("/courses/no-such-course/offline.zip").status_code == 404


def test_a_course_the_reader_may_not_view_is_404(client, create_course, monkeypatch):
    from peerlearn import permissions

    create_course("hidden")
    monkeypatch.setattr(permissions, "can_view_course", lambda user, course: False)
    assert client.get("/courses/hidden/offline.zip").status_code == 404


def test_query_count_does_not_grow_with_modules(
    client, create_course, create_assignment, count_queries
):
    few = create_course("few", modules=2)
    create_assignment(few)
    many = create_course("many", modules=12)
    create_assignment(many)
    create_assignment(many)
    with count_queries() as small:
        download(client, "few")
    with count_queries() as large:
        download(client, "many")
    assert large.count == small.count


def test_empty_course_still_makes_a_package(client, create_course):
    create_course("empty", modules=0)
    _, archive = download(client, "empty")
    assert sorted(archive.namelist()) == [
        "empty/LICENSE.txt", "empty/index.html", "empty/style.css",
    ]  # fmt: skip
    assert "This course has no modules yet." in archive.read("empty/index.html").decode()


# --- Built once, rebuilt when it changes ------------------------------------------------


@pytest.fixture
def builds(monkeypatch):
    """How many packages were built (rendered), not just served."""
    counter = {"n": 0}
    real = package_module.render_package

    def counting(inputs):
        counter["n"] += 1
        return real(inputs)

    monkeypatch.setattr(package_module, "render_package", counting)
    return counter


def test_a_package_is_built_once_and_rebuilt_when_a_module_changes(
    client, create_user, create_course, builds
):
    course = create_course("cached", modules=2)
    first, _ = download(client, "cached")
    again, _ = download(client, "cached")
    assert builds["n"] == 1 and again.data == first.data
    module = db.session.scalar(
        select(Module).where(Module.course_id == course.id).order_by(Module.position)
    )
    outcome = save_edit(
        MODULE, create_user("editor"), module, base_revision_id=module.current_revision_id,
        text="## Part 1\n\nThe new words.\n", fields={"title": module.title}, summary="new",
    )  # fmt: skip
    assert outcome.status == "saved"
    db.session.commit()
    changed, archive = download(client, "cached")
    assert builds["n"] == 2
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert "The new words." in archive.read("cached/modules/01-module-1.html").decode()


def test_a_reader_who_has_the_package_gets_304_without_a_build(client, create_course, builds):
    create_course("kept", modules=1)
    first, _ = download(client, "kept")
    builds["n"] = 0
    etag = first.headers["ETag"]
    cached = client.get("/courses/kept/offline.zip", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and builds["n"] == 0
    assert cached.headers["ETag"] == first.headers["ETag"]


def test_each_interface_language_has_its_own_package(client, create_course, builds):
    create_course("words", modules=1)
    english, archive_en = download(client, "words", headers={"Accept-Language": "en"})
    spanish, archive_es = download(client, "words", headers={"Accept-Language": "es"})
    assert builds["n"] == 2 and english.headers["ETag"] != spanish.headers["ETag"]
    assert archive_en.read("words/index.html") != archive_es.read("words/index.html")


def test_the_cache_keeps_within_its_budget():
    cache = package_module.PackageCache(budget=100)
    for n in range(10):
        cache.put(f"k{n}", bytes(20))
    assert cache.get("k0") is None and cache.get("k9") == bytes(20)
    cache.put("huge", bytes(60))  # over a quarter of the budget: never kept
    assert cache.get("huge") is None


# --- Stored for every process, built by a job when the course changes -------------------


def test_a_package_built_by_one_process_is_served_by_another_from_storage(
    app, client, create_course, builds
):
    create_course("shared", modules=2)
    first, _ = download(client, "shared")
    app.extensions.pop(package_module.CACHE_EXTENSION)  # another process: nothing in memory
    again, _ = download(client, "shared")
    assert builds["n"] == 1
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]


def test_a_changed_course_is_packaged_by_a_job_before_anyone_downloads_it(
    app, client, create_user, create_course, builds, monkeypatch
):
    monkeypatch.setitem(app.config, "OFFLINE_PREBUILD", True)
    monkeypatch.setitem(app.config, "SITE_URL", "http://localhost")  # what the client asks
    course = create_course("ready", modules=2)
    jobs.dispatch_ready()  # the import's job: one package per interface language
    assert db.session.scalar(
        select(func.count())
        .select_from(OfflinePackage)
        .where(OfflinePackage.course_id == course.id)
    ) == len(app.config["LANGUAGES"])
    app.extensions.pop(package_module.CACHE_EXTENSION, None)
    english, _ = download(client, "ready", headers={"Accept-Language": "en"})
    spanish, _ = download(client, "ready", headers={"Accept-Language": "es"})
    assert builds["n"] == 0  # both were served as the job built them
    assert english.headers["ETag"] != spanish.headers["ETag"]

    module = db.session.scalar(
        select(Module).where(Module.course_id == course.id).order_by(Module.position)
    )
    outcome = save_edit(
        MODULE, create_user("editor"), module, base_revision_id=module.current_revision_id,
        text="## Part 1\n\nWords a job packaged.\n", fields={"title": module.title},
        summary="new",
    )  # fmt: skip
    assert outcome.status == "saved"
    db.session.commit()
    jobs.dispatch_ready()
    changed, archive = download(client, "ready", headers={"Accept-Language": "en"})
    assert builds["n"] == 0
    assert changed.headers["ETag"] != english.headers["ETag"]
    assert "Words a job packaged." in archive.read("ready/modules/01-module-1.html").decode()


def test_a_course_keeps_only_its_latest_packages(app, create_course):
    course = create_course("pruned", modules=1)
    for n in range(package_module.KEEP_PER_COURSE + 3):
        package_module.store_package(course.id, f"{n:064d}", b"zip %d" % n)
    last = f"{package_module.KEEP_PER_COURSE + 2:064d}"
    package_module.store_package(course.id, last, b"the same fingerprint again: ignored")
    db.session.commit()
    kept = db.session.scalars(
        select(OfflinePackage.fingerprint).where(OfflinePackage.course_id == course.id)
    ).all()
    assert sorted(kept) == [f"{n:064d}" for n in range(3, package_module.KEEP_PER_COURSE + 3)]
    assert package_module.stored_package(last) == b"zip %d" % (package_module.KEEP_PER_COURSE + 2)
