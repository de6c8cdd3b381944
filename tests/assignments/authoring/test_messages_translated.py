"""The reader's complaints about an assignment reach the maintainer in their language.

The reader (``assignment_reader``) speaks English for the command line; every error it raises
carries a code that ``assignment_messages`` turns into a translated sentence for the browser.
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import Domain, force_locale

from peerlearn.bundles import assignment_fields, assignment_reader, assignment_rubric, yaml_limits
from peerlearn.bundles.assignment_messages import MESSAGES, describe
from peerlearn.bundles.assignment_reader import parse_assignment
from peerlearn.bundles.format import BundleError
from tests.fixtures.app import ASSIGNMENT_YAML
from tests.settings import ROOT

EDIT = "/courses/biogas/assignments/gas-test/edit"
SPANISH = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
SAVE_FAILED = "The assignment could not be saved: %(problem)s"
#: The modules the reader is made of: each raises errors that need a sentence.
READER_MODULES = (assignment_reader, assignment_fields, assignment_rubric, yaml_limits)


def reader_raises() -> list[tuple[int, str | None, set[str] | None, bool]]:
    """Each ``BundleError(...)`` in the reader: line, code, params' names, whether a field."""
    trees = [ast.parse(Path(m.__file__).read_text(encoding="utf-8")) for m in READER_MODULES]
    found = []
    for node in (node for tree in trees for node in ast.walk(tree)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "BundleError"):
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        code = keywords.get("code")
        params = keywords.get("params")
        names: set[str] | None = set()
        if isinstance(params, ast.Dict):
            names = {k.value for k in params.keys if isinstance(k, ast.Constant)}
        elif params is not None:
            names = None  # not a literal: the test below asks for one
        found.append(
            (
                node.lineno,
                code.value if isinstance(code, ast.Constant) else None,
                names,
                len(node.args) >= 3 or "field" in keywords,
            )
        )
    return found


@pytest.fixture
def english():
    """Messages in English, the source language (each test runs in a request context)."""
    with force_locale("en"):
        yield


# --- The registry --------------------------------------------------------------------


def test_every_error_of_the_reader_has_a_code_and_literal_params():
    raises = reader_raises()
    assert len(raises) > 25  # the parse found the reader's errors
    assert [line for line, code, _, _ in raises if code is None] == []
    assert [line for line, _, names, _ in raises if names is None] == []


def test_every_code_of_the_reader_has_a_sentence_and_every_sentence_a_code(english):
    raises = reader_raises()
    used = {code for _, code, _, _ in raises}
    assert sorted(used - MESSAGES.keys()) == []
    assert sorted(MESSAGES.keys() - used) == []
    for line, code, names, has_field in raises:
        placeholders = set(PLACEHOLDER.findall(str(MESSAGES[code])))
        expected = names | {"field"} if has_field else names
        assert placeholders == expected, (line, code)


def test_every_sentence_fills_in_without_falling_back_to_english(english):
    for line, code, names, has_field in reader_raises():
        error = BundleError(
            "assignments/x.yml",
            "ENGLISH",
            "some_field" if has_field else None,
            code=code,
            params=dict.fromkeys(names, 7),
        )
        sentence = describe(error)
        assert "ENGLISH" not in sentence and "%(" not in sentence, (line, code)
        assert ("'some_field'" in sentence) == has_field, (line, code)


# --- describe() in English ------------------------------------------------------------


def reader_error(**changes) -> BundleError:
    values = {
        "key": "gas-test", "title": "Gas test", "module": "m1", "must_review": 4,
        "must_be_reviewed": 3, "submission_deadline": "null", "review_deadline": "null",
        "self_assessment": "false", "calibration_examples": 0, "anonymity": "double-blind",
        "grading": "model", "flexible_after_days": "null",
    }  # fmt: skip
    replace = changes.pop("replace", None)
    values.update(changes)
    text = ASSIGNMENT_YAML.format(**values)
    if replace:
        text = text.replace(*replace)
    with pytest.raises(BundleError) as caught:
        parse_assignment(text, "assignments/gas-test.yml", "gas-test")
    return caught.value


def test_a_field_is_named_without_the_file_and_numbers_are_filled_in(english):
    error = reader_error(must_review=25)
    assert str(error) == (
        "assignments/gas-test.yml: field 'must_review': must be a whole number from 1 to 20"
    )
    assert describe(error) == "field 'must_review': must be a whole number from 1 to 20."


def test_a_rubric_path_is_kept_as_written(english):
    error = reader_error(replace=("- points: 2", "- points: 500"))
    assert describe(error) == (
        "field 'rubric[1].levels[2].points': must be a whole number from 0 to 100."
    )


def test_yaml_syntax_errors_keep_the_line_and_the_parsers_words(english):
    error = reader_error(replace=("title: Gas test", "title: ["))
    assert error.code == "yaml_at_line"
    assert describe(error).startswith(f"invalid YAML at line {error.params['line']}: ")
    assert describe(error).endswith(f"{error.params['problem']}.")


def test_an_unknown_code_falls_back_to_the_english_message(english):
    error = BundleError("assignments/x.yml", "no module with id 'm9' in this bundle", "module")
    assert describe(error) == "field 'module': no module with id 'm9' in this bundle"
    assert describe(BundleError("assignments/x.yml", "file is missing")) == "file is missing"


# --- In the browser -------------------------------------------------------------------


@pytest.fixture
def spanish_maintainer(create_user, create_course, create_assignment, login):
    user = create_user("lucia", locale="es")
    course = create_course("biogas", maintainer=user)
    assignment = create_assignment(course, slug="gas-test")
    login(user)
    return assignment


def save(client, assignment, old: str, new: str) -> str:
    text = assignment.current.text.replace(old, new, 1)
    assert text != assignment.current.text
    response = client.submit(
        EDIT, {"text": text, "base_revision_id": assignment.current_revision_id, "save": "Save"}
    )
    assert response.status_code == 422
    return html.unescape(response.get_data(as_text=True))


class _Shouting:
    """Stand-in translations that turn every message into capitals, placeholders kept.

    Text that reaches the page without passing through gettext stays in lowercase, so
    the reader's English cannot hide behind a catalog that is not translated yet.
    """

    def ugettext(self, message: str) -> str:
        parts = re.split(r"(%\(\w+\)s)", message)
        return "".join(part if PLACEHOLDER.fullmatch(part) else part.upper() for part in parts)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return self.ugettext(singular if n == 1 else plural)

    def upgettext(self, context: str, message: str) -> str:
        return self.ugettext(message)

    def unpgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.ungettext(singular, plural, n)


@pytest.mark.parametrize(
    ("old", "new", "field", "reader_says"),
    [
        ("must_review: 4", "must_review: 25", "must_review", "must be a whole number"),
        ("anonymity: double-blind", "anonymity: secret", "anonymity", "must be one of"),
        ("- points: 2", "- points: 0", "rubric[1].levels[2].points", "are also given by level"),
        ("must_review: 4", "must_review: 2", "must_review", "must be at least must_be_reviewed"),
    ],
)
def test_every_word_of_the_message_goes_through_gettext(
    client, spanish_maintainer, monkeypatch, old, new, field, reader_says
):
    monkeypatch.setattr(Domain, "get_translations", lambda self: _Shouting())
    page = save(client, spanish_maintainer, old, new)
    assert "THE ASSIGNMENT COULD NOT BE SAVED: FIELD '" + field + "': " in page
    assert reader_says not in page
    assert "assignments/gas-test.yml" not in page


def spanish(msgid: str) -> str | None:
    """The Spanish catalog's translation of ``msgid``, if it has one yet."""
    with SPANISH.open("rb") as handle:
        message = read_po(handle).get(msgid)
    return message.string if message is not None and message.string else None


def test_a_spanish_maintainer_reads_the_whole_message_in_spanish(
    client, spanish_maintainer, english
):
    wrapper, sentence = spanish(SAVE_FAILED), spanish(str(MESSAGES["whole_number"]))
    if wrapper is None or sentence is None:
        pytest.skip("the new messages are not in the Spanish catalog yet (make translations)")

    page = save(client, spanish_maintainer, "must_review: 4", "must_review: 25")

    detail = sentence % {"field": "must_review", "low": "1", "high": "20"}
    assert wrapper % {"problem": detail} in page
    # Only the field's name, as written in the YAML, stays as it is.
    english_left = ["must be a whole number", "could not be saved", "field 'must_review'"]
    assert [phrase for phrase in english_left if phrase in page] == []
