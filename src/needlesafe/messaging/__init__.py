"""Sending messages: email over SMTP, SMS through a provider, or the outbox when neither is
configured. Adapters only: what to send and when is decided by the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class SendError(Exception):
    """A send failed. `transient` failures are retried with back-off; others fail the job.
    The message never holds the text that was being sent."""

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.message, self.transient = message, transient


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    body: str
    # the same for every attempt at this message: receivers and providers drop repeats
    idempotency_key: str
    headers: dict[str, str] = field(default_factory=dict)


class Sender(Protocol):
    """One channel. `send` returns the provider's reference, or None when the message was not
    sent anywhere and stays in the outbox for staff to read."""

    channel: str

    def send(self, message: Outgoing) -> str | None: ...


class OutboxSender:
    """The default: nothing leaves the server; the message and its text wait in the outbox
    table and on the admin's outbox page, never lost."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, message: Outgoing) -> str | None:
        return None
