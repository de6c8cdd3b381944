"""Badges on the web: the Open Badges documents at stable URLs, the badge images, the
public page a learner shares, and the maintainer's revoke button.

The JSON documents and images are public by design: an unguessable public id is the only
way to an assertion, and a learner who shares the page or the baked image means it to be
checked. A revoked assertion answers 410 everywhere, with its reason.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse

from peerlearn import permissions
from peerlearn.accounts.models import User
from peerlearn.extensions import db
from peerlearn.i18n import _
from peerlearn.recognition import awarding, documents
from peerlearn.recognition.baking import badge_png, bake
from peerlearn.recognition.forms import RevokeForm
from peerlearn.recognition.models import Assertion, BadgeClass
from peerlearn.recognition.signing import public_jwk
from peerlearn.recognition.texts import badge_text
from peerlearn.web import current_actor

bp = Blueprint("badges", __name__, template_folder="templates", url_prefix="/badges")

JSON_LD = "application/ld+json"
#: The issuer and badge classes change only when a course is renamed: a short cache.
#: Assertions are never cached, so a revocation shows at once.
CACHE = "public, max-age=300"


def _json(
    document: dict[str, Any], status: int = 200, mimetype: str = JSON_LD, cache: str = CACHE
) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2)
    response = Response(body, status=status, mimetype=mimetype)
    response.headers["Cache-Control"] = cache
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers fetch from anywhere
    return response


def _badge_or_404(badge_id: int) -> BadgeClass:
    badge = db.session.scalar(
        select(BadgeClass).where(BadgeClass.id == badge_id).options(selectinload(BadgeClass.course))
    )
    if badge is None:
        abort(404)
    return badge


def _assertion_or_404(public_id: str) -> Assertion:
    assertion = db.session.scalar(
        select(Assertion)
        .where(Assertion.public_id == public_id)
        .options(
            selectinload(Assertion.badge_class).selectinload(BadgeClass.course),
            selectinload(Assertion.user),
        )
    )
    if assertion is None:
        abort(404)
    return assertion


def _gone_reason(assertion: Assertion) -> str | None:
    """Why the assertion no longer stands (revoked, or the recipient left), or None."""
    if assertion.revoked_at is not None:
        return assertion.revocation_reason
    if assertion.user.deleted_at is not None:
        return _("The person who earned this badge deleted their account.")
    return None


@bp.get("/issuer")
def issuer() -> Response:
    return _json(documents.issuer_profile())


@bp.get("/issuer/key.jwk")
def issuer_key() -> Response:
    return _json(public_jwk(), mimetype="application/jwk+json")


@bp.get("/classes/<int:badge_id>")
def badge_class(badge_id: int) -> Response:
    return _json(documents.badge_class_document(_badge_or_404(badge_id)))


@bp.get("/classes/<int:badge_id>/image.png")
def badge_image(badge_id: int) -> Response:
    badge = _badge_or_404(badge_id)
    response = Response(badge_png(badge.key, badge.kind), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/assertions/<public_id>")
def assertion(public_id: str) -> Response:
    found = _assertion_or_404(public_id)
    reason = _gone_reason(found)
    if reason is not None:
        return _json(documents.revoked_document(found, reason), status=410, cache="no-cache")
    return _json(documents.assertion_document(found), cache="no-cache")


def _hosted_text(found: Assertion) -> str:
    """Exactly the bytes the assertion URL serves, so the baked copy equals the hosted."""
    return json.dumps(documents.assertion_document(found), ensure_ascii=False, indent=2)


@bp.get("/assertions/<public_id>/baked.png")
def baked_image(public_id: str) -> Response:
    found = _assertion_or_404(public_id)
    if _gone_reason(found) is not None:
        abort(410)
    badge = found.badge_class
    png = bake(badge_png(badge.key, badge.kind), _hosted_text(found))
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Disposition"] = f'attachment; filename="badge-{public_id}.png"'
    return response


@bp.get("/assertions/<public_id>/credential.jwt")
def credential(public_id: str) -> Response:
    found = _assertion_or_404(public_id)
    if _gone_reason(found) is not None:
        abort(410)
    response = Response(documents.credential_jwt(found), mimetype="application/jwt")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/<public_id>")
def page(public_id: str) -> tuple[str, int]:
    found = _assertion_or_404(public_id)
    course = found.badge_class.course
    may_revoke = found.revoked_at is None and permissions.can_revoke_badge(current_actor(), course)
    reason = _gone_reason(found)
    return _badge_page(found, RevokeForm() if may_revoke else None), (
        410 if reason is not None else 200
    )


def _badge_page(found: Assertion, form: RevokeForm | None) -> str:
    """The public page of a badge, with the revoke form for those who may use it."""
    return render_template(
        "recognition/badge.html",
        assertion=found,
        badge=found.badge_class,
        text=badge_text(found.badge_class),
        course=found.badge_class.course,
        gone_reason=_gone_reason(found),
        form=form,
    )


@bp.post("/<public_id>/revoke")
@login_required
def revoke(public_id: str) -> BaseResponse | tuple[str, int]:
    found = _assertion_or_404(public_id)
    course = found.badge_class.course
    if not permissions.can_revoke_badge(current_actor(), course):
        abort(403, _("Only the course's maintainers can revoke its badges."))
    form = RevokeForm()
    if not form.validate_on_submit():
        return _badge_page(found, form), 400
    try:
        awarding.revoke(current_user, found, form.reason.data or "")
    except awarding.RevokeRefused:
        flash(_("This badge was revoked already."), "info")
        return redirect(url_for("badges.page", public_id=public_id))
    db.session.commit()
    flash(_("The badge is revoked."), "success")
    return redirect(url_for("badges.page", public_id=public_id))


def profile_section(user: User, viewer: permissions.Actor) -> Markup:
    """The badges part of ``user``'s profile, for the profile page (personal_data).

    Badges are learning activity: shown where the person's activity is (public, or their
    own profile), as the privacy setting promises."""
    if not permissions.can_see_learning_activity(viewer, user):
        return Markup("")
    badges = awarding.profile_badges(user)
    if not badges:
        return Markup("")
    rows = [(assertion, badge_text(assertion.badge_class)) for assertion in badges]
    return Markup(render_template("recognition/_profile_badges.html", badges=rows))
