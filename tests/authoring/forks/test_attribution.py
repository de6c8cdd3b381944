"""Attribution: everyone whose words a course carries, through the whole fork chain."""

from __future__ import annotations

import re


def credit_line(html: str) -> str:
    aside = re.search(r'<aside class="attribution".*?</aside>', html, re.S)
    assert aside, "no attribution"
    return aside.group(0)


def authors_in(html: str) -> list[str]:
    match = re.search(r"” by (.*?)\.\s", credit_line(html))
    assert match
    return match.group(1).split(", ")


def test_two_level_fork_credits_every_author(client, db, create_user, biogas, fork, edit):
    alice, bob, carol, dave = (create_user(n) for n in ("alice", "bob", "carol", "dave"))
    edit("biogas", "module-2", alice, body="Alice's trench.\n")
    fork("biogas", bob, "biogas-rwanda", title="Biogas Rwanda", licence="CC-BY-SA-4.0")
    edit("biogas-rwanda", "module-1", bob, body="Bob's materials.\n")
    edit("biogas", "module-3", dave, body="Dave's start, after the fork.\n")  # not taken
    fork("biogas-rwanda", carol, "biogas-kigali", title="Biogas Kigali")
    edit("biogas-kigali", "module-3", carol, body="Carol's start.\n")

    html = client.get("/courses/biogas-kigali").get_data(as_text=True)
    # Credited authors first, then revision authors in course order; dave is not in it.
    assert authors_in(html) == ["Ana Quispe", "bob", "alice", "carol"]
    aside = credit_line(html)
    assert "Adapted from" in aside and 'href="/courses/biogas-rwanda">Biogas Rwanda</a>' in aside
    assert (
        "Original course:" in aside
        and 'href="/courses/biogas">Tubular biogas digester</a>' in aside
    )
    assert 'rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/"' in aside
    assert "Creative Commons Attribution-ShareAlike 4.0" in aside

    # The original credits dave, whose change neither fork has taken.
    assert "dave" in authors_in(client.get("/courses/biogas").get_data(as_text=True))
    assert "Original course" not in credit_line(
        client.get("/courses/biogas").get_data(as_text=True)
    )


def test_module_page_credits_that_modules_chain(client, db, create_user, biogas, fork, edit):
    alice, bob = create_user("alice"), create_user("bob")
    edit("biogas", "module-2", alice, body="Alice's trench.\n")
    fork("biogas", bob, "biogas-rwanda")
    edit("biogas-rwanda", "module-1", bob, body="Bob's materials.\n")
    first = client.get("/courses/biogas-rwanda/m/module-1").get_data(as_text=True)
    assert authors_in(first) == ["Ana Quispe", "bob"]
    second = client.get("/courses/biogas-rwanda/m/module-2").get_data(as_text=True)
    assert authors_in(second) == ["Ana Quispe", "alice"]
    assert 'rel="license"' in credit_line(second)


def test_attribution_query_count_does_not_grow_with_history(
    client, create_user, biogas, fork, edit, count_queries
):
    bob = create_user("bob")
    fork("biogas", bob, "f1")
    fork("f1", bob, "f2")
    with count_queries() as short:
        client.get("/courses/f2")
    for n in range(6):
        author = create_user(f"writer{n}")
        edit("biogas", "module-1", author, body=f"Version {n}.\n")
        edit("f2", "module-2", author, body=f"Version {n}.\n")
    fork("f2", bob, "f3")
    with count_queries() as long:
        html = client.get("/courses/f3").get_data(as_text=True)
    assert "writer5" in authors_in(html) and "writer0" in authors_in(html)
    assert long.count == short.count


def test_the_fork_history_names_the_parent_by_its_title(client, db, create_user, biogas, fork):
    fork("biogas", create_user("wanjiru"), "biogas-rw")
    html = client.get("/courses/biogas-rw/history").get_data(as_text=True)
    assert "Forked this course from “Tubular biogas digester”." in html


def test_the_network_reads_with_even_separators(client, db, create_user, biogas, fork):
    fork("biogas", create_user("wanjiru"), "biogas-rw")
    html = client.get("/courses/biogas/network").get_data(as_text=True)
    meta = re.findall(r'<span class="meta">(.*?)</span>\s*(?:<ul>|</li>)', html, flags=re.S)
    assert meta and all("· ·" not in m and not re.search(r"\S·|·\S", m) for m in meta), meta
    assert meta[0].startswith(" · English · original · "), meta[0]


def test_a_forks_facts_name_the_same_authors_as_its_attribution(
    client, db, create_user, biogas, fork, edit
):
    bob = create_user("bob")
    fork("biogas", bob, "biogas-rwanda", title="Biogas Rwanda", licence="CC-BY-SA-4.0")
    edit("biogas-rwanda", "module-1", bob, body="Bob's materials.\n")
    html = client.get("/courses/biogas-rwanda").get_data(as_text=True)
    facts = re.search(r"<dt>Authors</dt><dd>([^<]*)</dd>", html)
    assert facts and facts.group(1) == "Ana Quispe, bob"
    assert authors_in(html) == ["Ana Quispe", "bob"]
