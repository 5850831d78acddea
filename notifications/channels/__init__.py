"""Delivery channels behind one interface (see base.py): email and the LINE Messaging API."""

from __future__ import annotations

from .base import Attachment, Channel, DeliveryError, Outgoing, PermanentDeliveryError, TemporaryDeliveryError


def channel_for(name: str) -> Channel:
    """A new channel object for `name` ("email" or "line"), configured from the settings."""
    if name == "email":
        from .email import EmailChannel  # noqa: PLC0415 - a channel's module is loaded when it is first used

        return EmailChannel()
    if name == "line":
        from .line import LineChannel  # noqa: PLC0415 - a channel's module is loaded when it is first used

        return LineChannel.from_settings()
    raise ValueError(f"unknown notification channel {name!r}")


__all__ = [
    "Attachment",
    "Channel",
    "DeliveryError",
    "Outgoing",
    "PermanentDeliveryError",
    "TemporaryDeliveryError",
    "channel_for",
]
