"""A real SMTP server inside the tests (aiosmtpd) that keeps what it receives and can refuse for a while."""

from __future__ import annotations

import email
import threading
from dataclasses import dataclass, field
from email.message import Message

from aiosmtpd.controller import Controller

from .ports import free_port


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(email.header.make_header(email.header.decode_header(self.message["Subject"] or "")))


@dataclass
class _Handler:
    received: list[ReceivedMail] = field(default_factory=list)
    refuse_with: str | None = None  # e.g. "451 4.3.0 try again later"
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse_with:
            return self.refuse_with
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


class SmtpSink:
    """`with SmtpSink() as smtp:` — host/port for Django's EMAIL_HOST/EMAIL_PORT; `smtp.received` is the mailbox."""

    def __init__(self) -> None:
        self.port = free_port()
        self.host = "127.0.0.1"
        self.handler = _Handler()
        self.controller = Controller(self.handler, hostname=self.host, port=self.port)

    @property
    def received(self) -> list[ReceivedMail]:
        with self.handler.lock:
            return list(self.handler.received)

    def refuse(self, reply: str | None = "451 4.3.0 Temporary failure, try again later") -> None:
        """Answer every message with this reply (None to accept again)."""
        self.handler.refuse_with = reply

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.received.clear()

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
