"""A real SMTP server in process (aiosmtpd) that keeps what it receives and can be told to
answer the next DATA commands with an error (4xx, then 5xx ...)."""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.channels.email.dovecot import free_port


class Received:
    def __init__(self, sender: str, recipients: list[str], data: bytes) -> None:
        self.sender = sender
        self.recipients = recipients
        self.data = data
        message = message_from_bytes(data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.message = message


class RecordingHandler:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[str] = []  # replies to the next DATA commands, then 250
        self.attempts = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.attempts += 1
            if self.answers:
                return self.answers.pop(0)
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
            )
        return "250 OK: queued"


class SmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    async def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        """Wait until `count` messages arrived (the dispatcher sends in the background)."""
        async with asyncio.timeout(timeout):
            while len(self.handler.received) < count:
                await asyncio.sleep(0.02)
        return self.handler.received
