"""Read and validate ``assignments/<slug>.yml`` into an :class:`AssignmentSpec`.

Like the bundle reader, the first problem is raised as a :class:`BundleError` naming the
file and the field, so a course author knows exactly what to fix. The message is English
(the command line and bundle import show it as is); each error also carries a stable
``code`` and the ``params`` of its sentence, which ``assignment_messages.describe`` turns into
the maintainer's language in the browser. A new rule needs a new code there too.

This module reads the YAML and the assignment's own settings; the checks of one field
live in :mod:`assignment_fields` and the rubric's in :mod:`assignment_rubric`, all pure
like this one. The assignment file is part of the bundle format, so these modules live in
bundles (which assignments, authoring and review import), not in assignments.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from peerlearn.bundles.assignment_fields import (
    check_keys,
    read_choice,
    read_deadline,
    read_flag,
    read_identifier,
    read_optional_whole,
    read_text,
    read_whole,
)
from peerlearn.bundles.assignment_rubric import read_rubric
from peerlearn.bundles.assignment_spec import (
    ASSIGNMENT_FIELDS,
    MAX_CALIBRATION_EXAMPLES,
    MAX_DAYS_TO_REVIEW,
    MAX_DAYS_TO_SUBMIT,
    MAX_FLEXIBLE_DAYS,
    MAX_PROMPT,
    MAX_REVIEWS,
    REQUIRED_ASSIGNMENT_FIELDS,
    Anonymity,
    AssignmentSpec,
    Grading,
)
from peerlearn.bundles.format import MAX_SLUG, MAX_TITLE, SLUG_PATTERN, BundleError
from peerlearn.bundles.yaml_limits import check_yaml_limits

# --- parsing ---------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps decimals exact and refuses a key written twice.

    Floats become :class:`Decimal` so a weight of ``0.1`` stays 0.1 in totals. PyYAML
    silently keeps the last of two equal keys, which would hide half of a hand edit.
    """

    file = ""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            key = self.construct_object(key_node)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise BundleError(
                    self.file,
                    f"written twice (again at line {line})",
                    str(key),
                    code="written_twice",
                    params={"line": line},
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | float:
    text = str(loader.construct_scalar(node))
    try:
        return Decimal(text)
    except InvalidOperation:
        # .inf, .nan and YAML 1.1 base-60 numbers: left as floats, which no field accepts.
        return loader.construct_yaml_float(node)


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def parse_assignment(text: str, file: str, slug: str) -> AssignmentSpec:
    """Validate an assignment file; raise :class:`BundleError` on the first problem.

    ``file`` is the path shown in messages (``assignments/gas-test.yml``) and ``slug``
    the file name without ``.yml``. Fields inside the rubric are named by position,
    counted from 1 as a person counts list items: ``rubric[2].levels[1].points``.
    """
    if len(slug) > MAX_SLUG or not SLUG_PATTERN.match(slug):
        raise BundleError(
            file,
            "assignment files are named <slug>.yml, the slug in lowercase letters, "
            f"digits and single hyphens (at most {MAX_SLUG} characters)",
            code="file_name",
            params={"max": MAX_SLUG},
        )
    data = _load_yaml(file, text.removeprefix("\ufeff").replace("\r\n", "\n"))
    return read_assignment(file, data, slug)


def read_assignment(file: str, data: dict[str, Any], slug: str) -> AssignmentSpec:
    """Validate the fields of an assignment already read into ``data`` (the YAML's
    mapping); the structured editor builds the same mapping from its form fields, so
    both editors apply exactly these rules."""
    check_keys(file, data, "", ASSIGNMENT_FIELDS, REQUIRED_ASSIGNMENT_FIELDS)

    must_be_reviewed = read_whole(file, data, "must_be_reviewed", 3, 1, MAX_REVIEWS)
    must_review = read_whole(file, data, "must_review", 4, 1, MAX_REVIEWS)
    if must_review < must_be_reviewed:
        # Otherwise the group cannot give every submission its reviews even when every
        # learner does their share.
        raise BundleError(
            file,
            f"must be at least must_be_reviewed ({must_be_reviewed})",
            "must_review",
            code="fewer_than_must_be_reviewed",
            params={"minimum": must_be_reviewed},
        )
    submission_deadline = read_deadline(file, data, "submission_deadline")
    review_deadline = read_deadline(file, data, "review_deadline")
    if submission_deadline and review_deadline and review_deadline <= submission_deadline:
        raise BundleError(
            file,
            f"must be after submission_deadline ({submission_deadline.isoformat()})",
            "review_deadline",
            code="not_after_submission_deadline",
            params={"submission_deadline": submission_deadline.isoformat()},
        )
    return AssignmentSpec(
        id=read_identifier(file, data, "id"),
        slug=slug,
        title=read_text(file, data, "title", MAX_TITLE),
        module=read_identifier(file, data, "module"),
        prompt=read_text(file, data, "prompt", MAX_PROMPT),
        rubric=read_rubric(file, data.get("rubric")),
        must_review=must_review,
        must_be_reviewed=must_be_reviewed,
        self_assessment=read_flag(file, data, "self_assessment"),
        calibration_examples=read_whole(
            file, data, "calibration_examples", 0, 0, MAX_CALIBRATION_EXAMPLES
        ),
        anonymity=read_choice(file, data, "anonymity", Anonymity.DOUBLE_BLIND),
        grading=read_choice(file, data, "grading", Grading.MODEL),
        flexible_after_days=read_optional_whole(
            file, data, "flexible_after_days", 1, MAX_FLEXIBLE_DAYS
        ),
        submission_deadline=submission_deadline,
        review_deadline=review_deadline,
        days_to_submit=read_optional_whole(file, data, "days_to_submit", 1, MAX_DAYS_TO_SUBMIT),
        days_to_review=read_optional_whole(file, data, "days_to_review", 1, MAX_DAYS_TO_REVIEW),
    )


def _load_yaml(file: str, text: str) -> dict[str, Any]:
    # Before the loader, whose recursion a deeply nested or alias-bombed text would exhaust.
    check_yaml_limits(file, text)
    loader: _Loader | None = None
    try:
        # The loader's reader refuses control characters (a pasted form feed) as it
        # starts, so it is made inside the ``try`` too.
        loader = _Loader(text)
        loader.file = file
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        # The parser's own words stay English (PyYAML has no translations); the sentence
        # around them is translated in the browser.
        problem = getattr(error, "problem", None)
        if not problem:
            raise BundleError(
                file, f"invalid YAML{where}: cannot be parsed", code="yaml_unreadable"
            ) from None
        if mark is None:
            raise BundleError(
                file, f"invalid YAML: {problem}", code="yaml", params={"problem": problem}
            ) from None
        raise BundleError(
            file,
            f"invalid YAML{where}: {problem}",
            code="yaml_at_line",
            params={"line": mark.line + 1, "problem": problem},
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        raise BundleError(file, "must be a YAML mapping of field: value", code="not_a_mapping")
    return data
