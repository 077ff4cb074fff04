"""A connection the poller never got to hold (the server has not greeted yet, the login is
slow) is closed when its opening is cut off, as by the hub stopping: it used to stay open
until garbage collection, and a stop mid-connect leaked a socket."""

from __future__ import annotations

import asyncio

from channels.email.imap import ImapSession


async def test_a_connection_cut_off_while_opening_is_closed() -> None:
    closed = asyncio.Event()
    connected = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.set()  # an IMAP server that never sends its greeting
        await reader.read()  # returns b"" once the client closes its end
        closed.set()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        opening = asyncio.create_task(
            ImapSession.open("127.0.0.1", port, "none", "u", "p", timeout=30)
        )
        await connected.wait()
        opening.cancel()
        await asyncio.gather(opening, return_exceptions=True)
        async with asyncio.timeout(10):
            await closed.wait()  # the client closed its socket: nothing left to leak
    finally:
        server.close()
        await server.wait_closed()
