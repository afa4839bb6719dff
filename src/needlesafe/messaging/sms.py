"""SMS through a provider. The interface is `Sender` (channel "sms"); the default is the outbox.
`HttpSmsSender` speaks the shape of the most common SMS API (Twilio's Messages resource:
`POST {api}/2010-04-01/Accounts/{account}/Messages.json` with form fields To, From, Body and
HTTP basic auth, answering 201 with the message's `sid`); any provider with that shape, or a
gateway in front of another, works with `NEEDLESAFE_SMS_API_URL`."""

from __future__ import annotations

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
