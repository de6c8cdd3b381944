"""Error pages that tell people, in their language, what happened and what to do."""

from __future__ import annotations

import math

from flask import Flask, make_response, render_template
from flask_babel import LazyString
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, TooManyRequests
from werkzeug.wrappers import Response

from peerlearn.extensions import db
from peerlearn.i18n import _, _l
from peerlearn.rate_limits import retry_after_seconds

ERROR_TEXTS: dict[int, tuple[LazyString, LazyString]] = {
    400: (_l("Bad request"), _l("The request could not be understood. Please try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to do that.")),
    404: (_l("Page not found"),
          _l("There is no page at this address. Check the link or search the catalog.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    500: (_l("Something went wrong"),
          _l("An error on our side stopped this page. Nothing you saved is lost; "
             "please try again in a moment.")),
}  # fmt: skip


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    title, default = ERROR_TEXTS.get(code, ERROR_TEXTS[400])
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default
    ), code


def setup_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            _(
                "The form had expired or was sent from another site. "
                "Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        # A view may abort with a message of its own (already translated); show it.
        custom = error.description if error.description != type(error).description else None
        return render_error(error.code, custom)

    @app.errorhandler(TooManyRequests)
    def _too_many(error: TooManyRequests) -> Response:
        """A rate limit refused the request before the view ran (so before any password
        check): say how long to wait, in minutes for people and in Retry-After for clients."""
        seconds = retry_after_seconds()
        page = render_template("errors/too_many.html", minutes=max(1, math.ceil(seconds / 60)))
        response = make_response(page, 429)
        response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(500)
    def _server_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        return render_error(500)
