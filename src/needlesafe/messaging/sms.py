"""SMS through a provider. The interface is `Sender` (channel "sms"); the default is the outbox.
`HttpSmsSender` speaks the shape of the most common SMS API (Twilio's Messages resource:
`POST {api}/2010-04-01/Accounts/{account}/Messages.json` with form fields To, From, Body and
HTTP basic auth, answering 201 with the message's `sid`); any provider with that shape, or a
gateway in front of another, works with `NEEDLESAFE_SMS_API_URL`.

Replies come back through the provider's inbound webhook (`POST /api/v1/sms/inbound`): STOP
and its variants stop a patient's reminders, START turns them on again. The webhook is
believed only with the provider's request signature (`X-Twilio-Signature`, keyed by the
account token) or a shared secret (`NEEDLESAFE_SMS_WEBHOOK_SECRET`) for other gateways."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping

import httpx

from needlesafe.messaging import Outgoing, SendError

TIMEOUT_SECONDS = 15.0


class HttpSmsSender:
    channel = "sms"

    def __init__(
        self,
        *,
        api_url: str,
        account: str,
        token: str,
        from_number: str,
        timeout: float = TIMEOUT_SECONDS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not (api_url and account and token and from_number):
            raise ValueError("an SMS provider needs its API URL, account, token and from number")
        self.url = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account}/Messages.json"
        self.auth = (account, token)
        self.from_number = from_number
        self.timeout = timeout
        self.transport = transport

    def __repr__(self) -> str:  # never the token
        return f"HttpSmsSender({self.url})"

    def send(self, message: Outgoing) -> str:
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(
                    self.url,
                    data={"To": message.to, "From": self.from_number, "Body": message.body},
                    auth=self.auth,
                    headers={"Idempotency-Key": message.idempotency_key},
                )
        except httpx.HTTPError as error:
            raise SendError(f"SMS not sent: {type(error).__name__}") from None
        if response.status_code in (200, 201):
            try:
                sid = response.json().get("sid")
            except ValueError:
                sid = None
            if not isinstance(sid, str) or not sid:
                raise SendError("SMS provider answered without a message id")
            return sid[:200]
        # 429 and 5xx are worth retrying; another 4xx (bad number, bad credentials) is not
        transient = response.status_code == 429 or response.status_code >= 500
        raise SendError(f"SMS provider said {response.status_code}", transient=transient)


# ---------------------------------------------------------------- replies: STOP and START
# The keywords carriers and the common SMS APIs treat as opt-out and opt-in (CTIA's messaging
# principles; Twilio's default opt-out words), matched on the whole reply, any case, any
# surrounding spaces or punctuation: "Stop", "STOP.", " unsubscribe ".
STOP_WORDS = frozenset(
    {
        "stop",
        "stopall",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "optout",
        "opt out",
        "revoke",
        "stop all",
    }
)
# not "yes" (Twilio's list has it): a "yes" to a reminder must not undo a patient's stop
START_WORDS = frozenset({"start", "unstop", "subscribe", "optin", "opt in"})
HELP_WORDS = frozenset({"help", "info"})


def reply_keyword(body: str) -> str | None:
    """ "stop", "start" or "help" when the whole reply is one of their words, else None (a
    sentence that merely contains "stop" is not an opt-out: "don't stop" must not be one)."""
    words = " ".join(re.sub(r"[^a-z ]+", " ", body.lower()).split())
    if words in STOP_WORDS:
        return "stop"
    if words in START_WORDS:
        return "start"
    if words in HELP_WORDS:
        return "help"
    return None


def request_signature(token: str, url: str, params: Mapping[str, str]) -> str:
    """The signature the Messages API puts in `X-Twilio-Signature` on a webhook: base64 of
    HMAC-SHA1, keyed by the account's auth token, over the full URL the provider called
    followed by each POST parameter's name and value, sorted by name."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_valid(token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    return hmac.compare_digest(request_signature(token, url, params), signature)


def phone_digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def same_phone(a: str, b: str) -> bool:
    """Whether two written phone numbers are the same line: two international numbers ("+"
    first) when their digits are equal; a national one ("07700 900123") when it is the other
    without its country code and trunk 0 ("+44 7700 900123"). At least 7 digits."""
    x, y = phone_digits(a), phone_digits(b)
    if len(x.lstrip("0")) < 7 or len(y.lstrip("0")) < 7:
        return False
    if a.strip().startswith("+") and b.strip().startswith("+"):
        return x == y
    x, y = x.lstrip("0"), y.lstrip("0")
    short, long = sorted((x, y), key=len)
    return long.endswith(short) and len(long) - len(short) <= 3
