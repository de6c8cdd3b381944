"""Email delivery against a real SMTP server: aiosmtpd on loopback, with STARTTLS and login.

The other notification tests use a recorder in place of ``smtplib.SMTP``; these speak the
protocol to a real server, so a broken STARTTLS handshake, a certificate that is not
verified, a login the server refuses or a message it cannot parse would show here. The
server's certificate is signed by a throw-away CA (trustme) that the app is told to trust
through ``SMTP_CA_FILE``, as a deployment with a private relay would be.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import select

from peerlearn.extensions import db
from peerlearn.notifications import Notification, notify
from peerlearn.review.notifications import NoticeKind

USERNAME = "peerlearn"
PASSWORD = "relay-secret-7"
SITE = "https://learn.example.org"


@dataclass
class Mailbox:
    """What the server accepted, and how each client authenticated."""

    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        assert session.ssl is not None, "mail arrived over a plain-text connection"
        data = envelope.content if isinstance(envelope.content, bytes) else b""
        self.messages.append(message_from_bytes(data))
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 OK"

    def authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode() == USERNAME and auth_data.password.decode() == PASSWORD
        )
        self.logins.append((auth_data.login.decode() if ok else "?", ok))
        return AuthResult(success=ok)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> tuple[trustme.CA, Path]:
    ca = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return ca, path


class RelayServer:
    """A STARTTLS-only, login-required SMTP server that can be stopped and started."""

    def __init__(self, ca: trustme.CA) -> None:
        self.port = _free_port()
        self.mailbox = Mailbox()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self._context = context
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=self._context,
            require_starttls=True,
            auth_required=True,
            authenticator=self.mailbox.authenticate,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def relay(app: Any, authority: tuple[trustme.CA, Path], monkeypatch: pytest.MonkeyPatch
          ) -> Iterator[RelayServer]:  # fmt: skip
    ca, ca_file = authority
    server = RelayServer(ca)
    server.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", server.port)
    monkeypatch.setitem(app.config, "SMTP_STARTTLS", True)
    monkeypatch.setitem(app.config, "SMTP_CA_FILE", str(ca_file))
    monkeypatch.setitem(app.config, "SMTP_USERNAME", USERNAME)
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", PASSWORD)
    monkeypatch.setitem(app.config, "SMTP_TIMEOUT", 5)
    monkeypatch.setitem(app.config, "MAIL_FROM", "peerlearn <noreply@learn.example.org>")
    monkeypatch.setitem(app.config, "SITE_URL", SITE)
    yield server
    server.stop()


def _queue_notice(create_user: Any, email: str = "author@example.org") -> Notification:
    author = create_user("author", email=email, locale="es")
    notice = notify(author.id, NoticeKind.GRADE_READY, "/courses/biogas/a/gas-test",
                    assignment="Prueba de gas")  # fmt: skip
    db.session.commit()
    return notice


def _sent_at(notice_id: int) -> Any:
    return db.session.scalar(select(Notification.sent_at).where(Notification.id == notice_id))


def test_a_notice_is_delivered_over_starttls_after_login(create_user, relay, runner):
    notice = _queue_notice(create_user)
    result = runner.invoke(args=["peerlearn", "notify"])
    assert result.exit_code == 0, result.output
    assert "1 notices sent" in result.output
    assert relay.mailbox.logins == [(USERNAME, True)]
    [(sender, recipients)] = relay.mailbox.envelopes
    assert recipients == ["author@example.org"]
    assert sender == "noreply@learn.example.org"
    [email] = relay.mailbox.messages
    assert email["To"] == "author@example.org"
    assert email["Content-Language"] == "es"
    body = email.get_payload(decode=True).decode(email.get_content_charset() or "utf-8")
    assert f"{SITE}/courses/biogas/a/gas-test" in body
    assert "Prueba de gas" in body
    assert _sent_at(notice.id) is not None


def test_a_refused_login_leaves_the_notice_for_the_next_run(
    create_user, relay, runner, app, monkeypatch
):
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", "wrong")
    notice = _queue_notice(create_user)
    result = runner.invoke(args=["peerlearn", "notify"])
    assert result.exit_code == 1
    assert relay.mailbox.logins == [("?", False)]
    assert relay.mailbox.messages == []
    assert _sent_at(notice.id) is None
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", PASSWORD)
    assert runner.invoke(args=["peerlearn", "notify"]).exit_code == 0
    assert len(relay.mailbox.messages) == 1
    assert _sent_at(notice.id) is not None


def test_a_certificate_from_an_untrusted_authority_is_refused(
    create_user, relay, runner, app, monkeypatch, tmp_path
):
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    monkeypatch.setitem(app.config, "SMTP_CA_FILE", str(other))
    notice = _queue_notice(create_user)
    result = runner.invoke(args=["peerlearn", "notify"])
    assert result.exit_code == 1
    assert relay.mailbox.logins == []  # the password never went to the impostor
    assert relay.mailbox.messages == []
    assert _sent_at(notice.id) is None


def test_notices_wait_while_the_server_is_down_and_go_once_it_is_back(create_user, relay, runner):
    relay.stop()
    notice = _queue_notice(create_user)
    down = runner.invoke(args=["peerlearn", "notify"])
    assert down.exit_code == 1
    assert _sent_at(notice.id) is None
    relay.start()
    back = runner.invoke(args=["peerlearn", "notify"])
    assert back.exit_code == 0, back.output
    assert len(relay.mailbox.messages) == 1
    assert _sent_at(notice.id) is not None
    again = runner.invoke(args=["peerlearn", "notify"])
    assert "0 notices sent" in again.output
    assert len(relay.mailbox.messages) == 1  # delivered once, not twice
