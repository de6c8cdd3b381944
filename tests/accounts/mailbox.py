"""A recording SMTP server for the account emails (reset links, confirmations)."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from flask import has_request_context, request

from peerlearn.jobs import in_background

SITE = "https://learn.example.org"
_LINK = re.compile(re.escape(SITE) + r"(/\S+)")


class Mailbox:
    """What would have been sent, by recipient."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        #: The paths of requests that connected to the server themselves (none may: the
        #: emails are jobs, sent after the response).
        self.inside_requests: list[str] = []

    def to(self, address: str) -> list[EmailMessage]:
        return [email for email in self.sent if email["To"] == address]

    def text(self, email: EmailMessage) -> str:
        return str(email.get_content())

    def links(self, address: str) -> list[str]:
        """The site's paths linked in the emails to ``address``, oldest first."""
        return [path for email in self.to(address) for path in _LINK.findall(self.text(email))]


@pytest.fixture
def mailbox(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """SMTP configured (so registrations are confirmed by email), with a recorder."""
    box = Mailbox()

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: float | None = None) -> None:
            if has_request_context() and not in_background():
                box.inside_requests.append(request.path)

        def starttls(self, context: Any = None) -> None:
            pass

        def login(self, user: str, password: str) -> None:
            pass

        def send_message(self, email: EmailMessage) -> None:
            box.sent.append(email)

        def close(self) -> None:
            pass

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "SMTP_HOST", "mail.example.org")
    monkeypatch.setitem(app.config, "SITE_URL", SITE)
    yield box
    assert box.inside_requests == [], "an SMTP connection was opened inside a request"
