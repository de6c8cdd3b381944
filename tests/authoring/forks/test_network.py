"""The fork network page: the whole lineage as a tree, in a bounded number of queries."""

from __future__ import annotations

import re


def test_network_lists_every_fork_and_translation_from_the_root(
    client, db, create_user, biogas, fork, edit
):
    jean, amina, rosa = create_user("jean"), create_user("amina"), create_user("rosa")
    fork("biogas", jean, "biogas-rwanda", title="Biogas Rwanda")
    fork("biogas-rwanda", amina, "biogas-rw", title="Biyogaze", as_translation=True,
         language="rw")  # fmt: skip
    fork("biogas", rosa, "biogas-bolivia", title="Biogas Bolivia")
    edit("biogas-bolivia", "module-1", rosa, body="Changed.\n")

    page = client.get("/courses/biogas-rw/network")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    titles = re.findall(r'<a href="/courses/[^"]+" lang="[^"]+">([^<]+)</a>', html)
    # The crumb, then the tree: root, its forks by title, the translation inside its parent.
    assert titles[1:] == ["Tubular biogas digester", "Biogas Bolivia", "Biogas Rwanda", "Biyogaze"]
    after_rwanda = html[html.index("Biogas Rwanda</a>") :]
    assert after_rwanda.index("<ul>") < after_rwanda.index("Biyogaze") < after_rwanda.index("</ul>")
    assert "Kinyarwanda" in html and "English" in html
    assert "Maintained by jean" in html and "Maintained by amina" in html
    assert "translation" in html[html.index("Biyogaze") :]
    assert html.count("Last activity") == 4
    assert 'aria-current="page"' in html


def test_network_of_a_course_without_forks(client, biogas):
    html = client.get("/courses/biogas/network").get_data(as_text=True)
    assert "Tubular biogas digester" in html and "original" in html


def test_unknown_course_network_is_404(client):
    assert client.get("/courses/nope/network").status_code == 404


def test_network_query_count_does_not_grow(client, create_user, biogas, fork, count_queries):
    users = [create_user(f"user{n}") for n in range(8)]
    fork("biogas", users[0], "f0")
    fork("f0", users[1], "f1")
    with count_queries() as small:
        assert client.get("/courses/f1/network").status_code == 200
    for n in range(2, 8):
        parent = "biogas" if n % 2 else f"f{n - 1}"
        fork(
            parent,
            users[n],
            f"f{n}",
            as_translation=n % 3 == 0,
            language="rw" if n % 3 == 0 else None,
        )
    with count_queries() as large:
        html = client.get("/courses/f1/network").get_data(as_text=True)
    assert html.count("Last activity") == 9 and html.count("Maintained by") == 8
    assert large.count == small.count
