"""Translation pages: the languages, a language's messages, one message's texts, the
translators (site admins), and the ``.po`` export (translators and admins)."""

from __future__ import annotations

import math
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from peerlearn import permissions, rate_limits
from peerlearn.community_i18n import catalog, layering, services
from peerlearn.community_i18n.forms import TranslationForm, TranslatorForm, translation_form
from peerlearn.community_i18n.models import Translator
from peerlearn.community_i18n.services import FormProblem, TranslationError
from peerlearn.extensions import db
from peerlearn.i18n import _, language_name, pgettext
from peerlearn.site import id_arg, page_arg, safe_next
from peerlearn.web import current_actor

bp = Blueprint("community_i18n", __name__, template_folder="templates", url_prefix="/translate")

PER_PAGE = 50

Page = str | tuple[str, int] | Response


def _languages() -> list[str]:
    """The interface languages one can translate into: all but the source language."""
    source = layering.source_language()
    return [code for code in current_app.config["LANGUAGES"] if code != source]


def _language(locale: str) -> str:
    if locale not in _languages():
        abort(404)
    return locale


def _catalog(locale: str) -> catalog.LocaleCatalog:
    return catalog.load(layering.translations_directory(), locale)


@bp.get("/")
@login_required
def index() -> str:
    return render_template(
        "community_i18n/index.html",
        languages=_languages(),
        mine=services.translator_locales(current_user),
        can_manage=permissions.can_manage_translators(current_actor()),
    )


# --- Translators (site admins) --------------------------------------------------------


@bp.route("/translators", methods=["GET", "POST"])
@login_required
def translators() -> Page:
    if not permissions.can_manage_translators(current_actor()):
        abort(403)
    form = TranslatorForm()
    form.locale.choices = [("", _("Choose…"))] + [(c, language_name(c)) for c in _languages()]
    if form.validate_on_submit():
        try:
            services.grant_translator(current_user, form.username.data, form.locale.data)
        except TranslationError as error:
            db.session.rollback()
            if error.code == "unknown_user":
                message = _("There is no user called “%(name)s”.", name=form.username.data)
            else:
                message = _(
                    "%(name)s already translates into %(language)s.",
                    name=form.username.data,
                    language=language_name(form.locale.data),
                )
            form.username.errors = [message]
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s can now approve translations into %(language)s.",
                    name=form.username.data,
                    language=language_name(form.locale.data),
                ),
                "success",
            )
            return redirect(url_for(".translators"))
    return render_template(
        "community_i18n/translators.html", form=form, translators=services.translators()
    ), (422 if form.is_submitted() else 200)


@bp.post("/translators/<int:translator_id>/revoke")
@login_required
def revoke(translator_id: int) -> Response:
    if not permissions.can_manage_translators(current_actor()):
        abort(403)
    translator = db.session.get(Translator, translator_id)
    if translator is None:
        abort(404)
    name, locale = translator.user.username, translator.locale
    services.revoke_translator(current_user, translator)
    db.session.commit()
    flash(
        _(
            "%(name)s no longer translates into %(language)s.",
            name=name,
            language=language_name(locale),
        ),
        "success",
    )
    return redirect(url_for(".translators"))


# --- A language's messages ------------------------------------------------------------


@bp.get("/<locale>")
@login_required
def messages(locale: str) -> str:
    _language(locale)
    query = request.args.get("q", "").strip()[:200]
    show = "pending" if request.args.get("show") == "pending" else ""
    page_number = page_arg()
    messages_catalog = _catalog(locale)
    pending = services.pending_counts(locale)
    rows = catalog.listing(
        messages_catalog,
        layering.overrides(locale),
        query,
        keys=set(pending) if show else None,
    )
    pages = max(1, math.ceil(len(rows) / PER_PAGE))
    if not 1 <= page_number <= pages:
        abort(404)
    shown = rows[(page_number - 1) * PER_PAGE : page_number * PER_PAGE]
    return render_template(
        "community_i18n/messages.html",
        locale=locale,
        source=layering.source_language(),
        rows=shown,
        total=len(rows),
        untranslated=sum(not row.translated for row in rows),
        pending=pending,
        query=query,
        show=show,
        page=page_number,
        pages=pages,
        plural_forms=messages_catalog.plural_forms,
        form_label=form_label,
        can_review=permissions.can_review_translations(current_actor(), locale),
        can_export=permissions.can_export_translations(current_actor(), locale),
    )


# --- One message ----------------------------------------------------------------------


@bp.route("/<locale>/m/<key>", methods=["GET", "POST"])
@login_required
@rate_limits.post_limit
def message(locale: str, key: str) -> Page:
    _language(locale)
    messages_catalog = _catalog(locale)
    entry = messages_catalog.by_key.get(key)
    if entry is None:
        abort(404)
    [listed] = catalog.listing(messages_catalog, layering.overrides(locale), keys={key})
    can_review = permissions.can_review_translations(current_actor(), locale)
    suggestions = services.message_suggestions(locale, key)
    form = translation_form(len(entry.translation), _initial(listed, suggestions))
    back = safe_next(
        form.back.data or request.args.get("back"), url_for(".messages", locale=locale)
    )
    if form.is_submitted() and not permissions.can_suggest_translation(current_actor(), locale):
        abort(403)
    if form.validate_on_submit():
        texts = [field.data or "" for field in form.text]
        save = services.save_translation if can_review else services.suggest
        try:
            save(current_user, locale, entry, texts, listed.current)
        except TranslationError as error:
            db.session.rollback()
            if error.code == "form_count":
                abort(400)
            _show_problems(form, error)
        else:
            db.session.commit()
            if can_review:
                flash(_("Saved. Everyone sees the new text from now on."), "success")
            else:
                flash(_("Thank you! Your suggestion waits for a translator's approval."), "success")
            return redirect(back)
    form.back.data = back
    return render_template(
        "community_i18n/message.html",
        locale=locale,
        source=layering.source_language(),
        entry=entry,
        listed=listed,
        form=form,
        labels=_field_labels(entry, messages_catalog),
        suggestions=suggestions,
        markup_of=services.suggestion_markup,
        back=back,
        can_review=can_review,
    ), (422 if form.is_submitted() else 200)


def _initial(listed: catalog.Listed, suggestions: list[Any]) -> tuple[str, ...]:
    """What the form shows first: the text in use, or a suggestion a translator chose to
    edit before approving (``?edit=<id>``)."""
    chosen = id_arg("edit")
    for suggestion in suggestions:
        if suggestion.id == chosen:
            return suggestion.forms
    return listed.current


def _show_problems(form: TranslationForm, error: TranslationError) -> None:
    if error.code == "unchanged":
        form.text[0].errors = [_("This is already the text in use. Change it, or go back.")]
        return
    for problem in error.problems:
        field = form.text[problem.index]
        field.errors = [*field.errors, problem_message(problem)]


def problem_message(problem: FormProblem) -> str:
    """A problem with a submitted text, said so that the person knows what to fix."""
    tokens = ", ".join(problem.tokens)
    if problem.code == "empty":
        return _("Write the translation here.")
    if problem.code == "too_long":
        return _("This text is too long.")
    if problem.code == "markup":
        return _(
            "Remove %(markup)s: translations are plain text, so HTML tags and character "
            "codes would appear on the page exactly as typed.",
            markup=tokens,
        )
    if problem.code == "missing":
        return _(
            "Keep %(placeholders)s exactly as in the English text: the page puts a value there.",
            placeholders=tokens,
        )
    if problem.code == "extra":
        return _(
            "Remove %(placeholders)s or correct its spelling: the English text has no such "
            "placeholder.",
            placeholders=tokens,
        )
    return _(
        "Remove %(placeholders)s: a percent sign is only allowed where the English text has one.",
        placeholders=tokens,
    )


def form_label(form: catalog.PluralForm) -> str:
    """A plural form's label: Form “one” (for example 1), or Form 2 (for example 0, 2, 3)
    where CLDR does not name the language's forms."""
    examples = ", ".join(str(n) for n in form.examples)
    if form.category is not None:
        name = _category_name(form.category)
        return _("Form “%(name)s” (for example %(examples)s)", name=name, examples=examples)
    return _("Form %(number)s (for example %(examples)s)", number=form.index + 1, examples=examples)


def _category_name(category: str) -> str:
    """A CLDR plural category ("one", "few", "other"), in the reader's language."""
    names = {
        "zero": pgettext("plural form", "zero"),
        "one": pgettext("plural form", "one"),
        "two": pgettext("plural form", "two"),
        "few": pgettext("plural form", "few"),
        "many": pgettext("plural form", "many"),
        "other": pgettext("plural form", "other"),
    }
    return names.get(category, category)


def _field_labels(entry: catalog.Entry, messages_catalog: catalog.LocaleCatalog) -> list[str]:
    if not entry.is_plural:
        return [_("Translation")]
    return [form_label(form) for form in messages_catalog.plural_forms]


# --- Reviewing suggestions (the language's translators) -------------------------------


@bp.post("/<locale>/suggestions/<int:suggestion_id>/approve")
@login_required
def approve(locale: str, suggestion_id: int) -> Response:
    return _review(locale, suggestion_id, approve=True)


@bp.post("/<locale>/suggestions/<int:suggestion_id>/reject")
@login_required
def reject(locale: str, suggestion_id: int) -> Response:
    return _review(locale, suggestion_id, approve=False)


def _review(locale: str, suggestion_id: int, approve: bool) -> Response:
    _language(locale)
    if not permissions.can_review_translations(current_actor(), locale):
        abort(403)
    suggestion = services.suggestion_in(locale, suggestion_id)
    if suggestion is None:
        abort(404)
    key = suggestion.msg_key
    back = safe_next(request.form.get("back"), url_for(".messages", locale=locale))
    try:
        (services.approve if approve else services.reject)(current_user, suggestion)
    except TranslationError as error:
        db.session.rollback()
        if error.code == "markup":
            flash(
                _(
                    "This suggestion contains HTML tags or character codes, so it cannot be "
                    "approved. Edit it before saving, or reject it."
                ),
                "error",
            )
        else:
            flash(_("Another translator has already decided on this suggestion."), "info")
    else:
        db.session.commit()
        if approve:
            flash(_("Approved. Everyone sees the new text from now on."), "success")
        else:
            flash(_("Suggestion rejected."), "success")
    return redirect(url_for(".message", locale=locale, key=key, back=back))


# --- Export ---------------------------------------------------------------------------


@bp.get("/<locale>/export.po")
@login_required
def export(locale: str) -> Response:
    _language(locale)
    if not permissions.can_export_translations(current_actor(), locale):
        abort(403)
    data = catalog.export_po(layering.translations_directory(), locale, layering.overrides(locale))
    return current_app.response_class(
        data,
        mimetype="text/x-gettext-translation",
        headers={"Content-Disposition": f'attachment; filename="messages-{locale}.po"'},
    )


@bp.record_once
def _install_layer(state: Any) -> None:
    layering.install(state.app)
