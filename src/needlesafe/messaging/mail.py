"""Email over SMTP (`NEEDLESAFE_SMTP_URL`): `smtp://host:port` (STARTTLS when the server
offers it, or always with `?starttls=required`), `smtps://host:port` (TLS from the start), and
credentials as `smtp://user:password@host:port`."""

from __future__ import annotations

import functools
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from urllib.parse import parse_qs, unquote, urlsplit

from needlesafe.messaging import Outgoing, SendError

TIMEOUT_SECONDS = 20.0
# long headers (the opt-out link) folded, not encoded: mail clients read them as they are
HEADERS = SMTP.clone(max_line_length=998)


class SmtpSender:
    channel = "email"

    def __init__(self, url: str, *, mail_from: str, timeout: float = TIMEOUT_SECONDS) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("NEEDLESAFE_SMTP_URL must look like smtp://host:port or smtps://...")
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        starttls = parse_qs(parts.query).get("starttls", ["auto"])[0]
        self.starttls_required = starttls == "required"
        self.mail_from = mail_from
        self.timeout = timeout

    def __repr__(self) -> str:  # never the password
        return f"SmtpSender({'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port})"

    @functools.cached_property
    def _tls(self) -> ssl.SSLContext:
        """Made once: loading the system's certificates takes tens of milliseconds."""
        return ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        client.ehlo()
        if client.has_extn("starttls"):
            client.starttls(context=self._tls)
            client.ehlo()
        elif self.starttls_required or self.username:
            client.quit()
            raise SendError("the mail server does not offer STARTTLS", transient=False)
        return client

    def send(self, message: Outgoing) -> str:
        email = EmailMessage(policy=HEADERS)
        email["From"] = self.mail_from
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        domain = self.mail_from.rpartition("@")[2] or "needlesafe.invalid"
        message_id = f"<{message.idempotency_key}@{domain}>"
        email["Message-ID"] = message_id
        for name, value in message.headers.items():
            email[name] = value
        email.set_content(message.body)
        try:
            with self._connect() as client:
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(email)
        except smtplib.SMTPRecipientsRefused:
            raise SendError("the mail server refused the address", transient=False) from None
        except smtplib.SMTPAuthenticationError:
            raise SendError("the mail server refused the login", transient=False) from None
        except (smtplib.SMTPException, OSError) as error:
            # the class of error only: an SMTP reply may quote the message
            raise SendError(f"mail not sent: {type(error).__name__}") from None
        return message_id
