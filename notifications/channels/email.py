"""Email through Django's mail backend (SMTP in production): one connection per batch, one message per call.

SMTP replies are sorted as RFC 5321 says: 4xx is temporary (greylisting, "451 try again later", a full queue),
5xx is permanent for what the recipient's server refuses (an unknown mailbox, a message it will not take).
A connection that cannot be opened or breaks, a timeout, and problems of our own set-up (authentication, our
sender address refused) are temporary: nothing is given up while an administrator fixes the server settings.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import SafeMIMEText

from .base import Channel, DeliveryError, Outgoing, PermanentDeliveryError, TemporaryDeliveryError


def _smtp_error(error: BaseException) -> DeliveryError:
    """The delivery error an exception from smtplib or the socket layer stands for."""
    temporary = True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        text = "SMTP recipient refused: " + "; ".join(f"{code} {_text(reply)}" for code, reply in answers)
        temporary = all(400 <= code < 500 for code, _reply in answers)
    elif isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused):
        text = f"SMTP set-up problem: {error.smtp_code} {_text(error.smtp_error)}"
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"SMTP {error.smtp_code} {_text(error.smtp_error)}"
        temporary = 400 <= error.smtp_code < 500
    elif isinstance(error, socket.timeout | TimeoutError | OSError):  # smtplib's own errors are OSErrors too
        text = f"SMTP connection: {type(error).__name__}: {error}"
    else:
        text = f"{type(error).__name__}: {error}"
        temporary = False
    return TemporaryDeliveryError(text) if temporary else PermanentDeliveryError(text)


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


class EmailChannel(Channel):
    name = "email"

    def __init__(self, *, backend: str | None = None) -> None:
        self.backend = backend
        self.connection = None

    def open(self) -> None:
        self.connection = get_connection(self.backend, fail_silently=False)
        try:
            self.connection.open()
        except Exception as error:
            self.connection = None
            raise _smtp_error(error) from error

    def close(self) -> None:
        if self.connection is not None:
            # Closing a broken connection must not hide the real outcome.
            with contextlib.suppress(Exception):
                self.connection.close()
            self.connection = None

    def build(self, message: Outgoing) -> EmailMultiAlternatives:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=message.from_address or settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"Message-ID": message.key, **message.headers},
            connection=self.connection,
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        for attachment in message.attachments:
            basetype, subtype = attachment.mimetype.split("/", 1)
            if basetype == "text":
                part = SafeMIMEText(attachment.content.decode(), subtype, "utf-8")
            else:  # pragma: no cover - every attachment today is a calendar file
                email.attach(attachment.filename, attachment.content, attachment.mimetype)
                continue
            for name, value in attachment.params:
                part.set_param(name, value)
            part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
            email.attach(part)
        return email

    def send(self, message: Outgoing) -> str:
        if self.connection is None:
            self.open()
        email = self.build(message)
        try:
            sent = self.connection.send_messages([email])
        except Exception as error:
            raise _smtp_error(error) from error
        if not sent:
            raise PermanentDeliveryError("the mail backend sent nothing (no valid recipient)")
        return message.key
