"""The interface every channel implements, and the two kinds of failure the send task tells apart.

A channel knows nothing of the models: it takes an `Outgoing` (plain values) and returns the provider's
reference for the message, or raises `TemporaryDeliveryError` (try again later: SMTP 4xx, connection refused,
timeout, LINE 429/5xx) or `PermanentDeliveryError` (trying again changes nothing: SMTP 5xx, LINE 4xx).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


class DeliveryError(Exception):
    temporary: bool = False


class TemporaryDeliveryError(DeliveryError):
    temporary = True


class PermanentDeliveryError(DeliveryError):
    temporary = False


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str  # e.g. "text/calendar"
    params: tuple[tuple[str, str], ...] = ()  # extra Content-Type parameters, e.g. (("method", "REQUEST"),)


@dataclass(frozen=True)
class Outgoing:
    """One message to one address. `key` identifies it for idempotent retries (Message-ID, X-Line-Retry-Key)."""

    to: str
    subject: str
    text: str
    key: str
    html: str = ""
    from_address: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()


class Channel(ABC):
    """Open once per batch, send many, close. Also a context manager."""

    name: str = ""

    def open(self) -> None:  # noqa: B027 - optional hook
        """Open what the channel reuses between messages (an SMTP connection, an HTTP session)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release it; never raises."""

    @abstractmethod
    def send(self, message: Outgoing) -> str:
        """Deliver one message; return the provider's reference for it."""

    def __enter__(self) -> Channel:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
