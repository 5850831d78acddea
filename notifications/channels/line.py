"""The LINE Messaging API: a push message to a site's LINE group through the province's official account.

LINE Notify was shut down on 31 March 2025; this is its successor. Contract (developers.line.biz, "Send push
message" and "Retry failed API requests"):

    POST {LINE_API_BASE}/v2/bot/message/push
    Authorization: Bearer {channel access token}
    X-Line-Retry-Key: {a UUID, the same on every retry of the same message}
    {"to": "<group id>", "messages": [{"type": "text", "text": "..."}]}

200: accepted. 409 with the retry key: an earlier try of this very message was accepted already, so it counts as
sent (this is what makes a retry after a timeout or a crash safe). 429 (rate limit) and 5xx or no answer:
temporary. Other 4xx (a bad request, a wrong or expired token, a group the account is not in): permanent.
"""

from __future__ import annotations

import requests

from ..conf import setting
from .base import Channel, Outgoing, PermanentDeliveryError, TemporaryDeliveryError

TEXT_LIMIT = 5000  # characters in one text message


class LineChannel(Channel):
    name = "line"

    def __init__(self, *, access_token: str, api_base: str = "https://api.line.me", timeout: float = 10.0) -> None:
        self.access_token = access_token
        self.api_base = api_base.rstrip("/")
        self.timeout = timeout
        self.session: requests.Session | None = None

    @classmethod
    def from_settings(cls) -> LineChannel:
        return cls(
            access_token=str(setting("LINE_CHANNEL_ACCESS_TOKEN") or ""),
            api_base=str(setting("LINE_API_BASE")),
            timeout=float(setting("LINE_API_TIMEOUT")),
        )

    def open(self) -> None:
        if self.session is None:
            self.session = requests.Session()

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def send(self, message: Outgoing) -> str:
        if not self.access_token:
            # Set-up, not the message: keep it pending until an administrator sets LINE_CHANNEL_ACCESS_TOKEN.
            raise TemporaryDeliveryError("LINE_CHANNEL_ACCESS_TOKEN is not set")
        self.open()
        text = message.text if len(message.text) <= TEXT_LIMIT else message.text[: TEXT_LIMIT - 1] + "…"
        try:
            response = self.session.post(
                f"{self.api_base}/v2/bot/message/push",
                json={"to": message.to, "messages": [{"type": "text", "text": text}]},
                headers={"Authorization": f"Bearer {self.access_token}", "X-Line-Retry-Key": message.key},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise TemporaryDeliveryError(f"LINE: {type(error).__name__}: {error}") from error
        request_id = response.headers.get("x-line-request-id", "")
        if response.status_code == 200:
            return request_id
        if response.status_code == 409:
            return response.headers.get("x-line-accepted-request-id", "") or request_id
        detail = f"LINE {response.status_code}: {_message(response)}"
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryDeliveryError(detail)
        raise PermanentDeliveryError(detail)


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    message = str(body.get("message", ""))
    details = body.get("details") or []
    if details:
        message += " (" + "; ".join(f"{d.get('property', '')}: {d.get('message', '')}" for d in details) + ")"
    return message[:400]
