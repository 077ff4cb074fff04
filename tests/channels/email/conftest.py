from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.channels.email.dovecot import Dovecot, available
from tests.channels.email.mailbox import TestMailbox
from tests.channels.email.smtp_server import SmtpServer
from tests.services import unavailable


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A running Dovecot with an empty mailbox; fails instead of skipping under
    CONTACTHUB_REQUIRE_SERVICES=1 when Dovecot is missing."""
    reason = available()
    if reason is not None:
        unavailable("Dovecot", reason)
    server = Dovecot()
    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        server.close()
        unavailable("Dovecot", exc)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
async def mailbox(dovecot: Dovecot) -> AsyncIterator[TestMailbox]:
    """A second IMAP session, as a mail server delivering into the mailbox would be."""
    async with TestMailbox(dovecot) as box:
        yield box


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()
