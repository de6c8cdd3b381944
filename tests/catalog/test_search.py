"""The catalog: text search over title, summary and tags, filters, pagination."""

from __future__ import annotations

import re

import pytest


def titles(response) -> list[str]:
    return re.findall(
        r'<h2><a href="/courses/[^"]+">([^<]+)</a></h2>', response.get_data(as_text=True)
    )


@pytest.fixture
def courses(create_course):
    create_course("biogas", title="Tubular biogas digester", tags=("biogas", "energy"))
    create_course(
        "biodigestor",
        title="Biodigestor tubular",
        language="es",
        summary="Cómo construir un biodigestor para producir biogás.",
        tags=("energía",),
    )
    create_course(
        "solar",
        title="Solar home systems",
        summary="Panels and batteries.",
        tags=("solar", "energy"),
    )
    create_course("stoves", title="Improved cookstoves", summary="Less smoke, less wood.",
                  tags=("cooking",))  # fmt: skip


def test_lists_every_course_alphabetically(client, courses):
    assert titles(client.get("/")) == [
        "Biodigestor tubular",
        "Improved cookstoves",
        "Solar home systems",
        "Tubular biogas digester",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "biogas",
            ["Biodigestor tubular", "Tubular biogas digester"],
        ),  # title, and summary "biogás"
        ("BIOGÁS", ["Biodigestor tubular", "Tubular biogas digester"]),  # case and accents folded
        ("smoke wood", ["Improved cookstoves"]),  # every word must match
        ("cooking", ["Improved cookstoves"]),  # tags are searched
        ("energia", ["Biodigestor tubular"]),
        ("100%", []),  # LIKE wildcards are literal
        ("nothing-like-this", []),
    ],
)
def test_text_search(client, courses, query, expected):
    assert titles(client.get("/", query_string={"q": query})) == expected


def test_no_result_says_so(client, courses):
    page = client.get("/?q=zzz").get_data(as_text=True)
    assert "No course matches your search" in page
    assert "0 courses" in page


def test_filters_by_language_and_tag(client, courses):
    assert titles(client.get("/?language=es")) == ["Biodigestor tubular"]
    assert titles(client.get("/?tag=energy")) == ["Solar home systems", "Tubular biogas digester"]
    assert titles(client.get("/?tag=energy&q=panels")) == ["Solar home systems"]
    assert titles(client.get("/?language=fr")) == []


def test_filter_choices_show_languages_in_the_readers_language(client, courses):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<option value="es">Spanish</option>' in page
    assert 'href="/?tag=energy"' in page


def test_pagination(client, app, create_course):
    for n in range(12):
        create_course(f"course-{n:02d}", title=f"Course {n:02d}")
    first = client.get("/")
    assert titles(first) == [f"Course {n:02d}" for n in range(10)]
    assert "Page 1 of 2" in first.get_data(as_text=True)
    assert titles(client.get("/?page=2")) == ["Course 10", "Course 11"]
    assert client.get("/?page=3").status_code == 404
    assert client.get("/?page=0").status_code == 404
    assert client.get("/?page=abc").status_code == 200  # treated as the first page


def test_catalog_query_count_does_not_grow_with_courses(client, create_course, count_queries):
    create_course()
    with count_queries() as few:
        client.get("/")
    for _ in range(8):
        create_course()
    with count_queries() as many:
        client.get("/")
    assert many.count == few.count


def test_a_chosen_topic_is_shown_in_the_search_form_and_can_be_dropped(client, courses):
    page = client.get("/?tag=energy").get_data(as_text=True)
    assert 'name="tag" value="energy" checked' in page and "Only the topic #energy" in page
    # The search form sends the topic only while its box stays ticked.
    assert titles(client.get("/?q=stoves&tag=energy")) == []
    assert titles(client.get("/?q=smoke")) == ["Improved cookstoves"]


def test_no_match_under_a_topic_says_so_and_offers_all_topics(client, courses):
    page = client.get("/?q=smoke&tag=energy").get_data(as_text=True)
    assert "No course on the topic #energy matches your search." in page
    assert 'href="/?q=smoke">Search all topics</a>' in page
