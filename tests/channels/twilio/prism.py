"""Prism serving Twilio's own OpenAPI description (../shared/twilio/) as a validating mock:
a request that does not match Twilio's spec is answered with a 4xx."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.services import unavailable

ROOT = Path(__file__).resolve().parents[3]
SPEC = ROOT.parent / "shared" / "twilio" / "twilio_api_v2010.json"
LOCAL_PRISM = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "prism"


def find_prism() -> str | None:
    configured = os.environ.get("CONTACTHUB_PRISM")
    if configured:
        return configured
    if LOCAL_PRISM.exists():
        return str(LOCAL_PRISM)
    return shutil.which("prism")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def running_prism() -> AsyncIterator[str]:
    prism = find_prism()
    if prism is None or not SPEC.exists():
        unavailable("Prism", f"prism at {prism}, Twilio spec at {SPEC} (.ci/run installs them)")
        raise AssertionError("unreachable")
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        prism,
        "mock",
        "--host",
        "127.0.0.1",
        "-p",
        str(port),
        str(SPEC),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await _wait_listening(process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        await process.wait()


async def _wait_listening(process: asyncio.subprocess.Process) -> None:
    assert process.stdout is not None
    try:
        async with asyncio.timeout(90):  # it reads a 1.8 MB spec first
            while True:
                line = await process.stdout.readline()
                if not line:
                    raise AssertionError("prism exited before listening")
                if b"Prism is listening" in line:
                    break
    except TimeoutError:
        unavailable("Prism", "it did not start listening within 90 s")
    # Keep draining its log so a full pipe never blocks it.
    asyncio.get_running_loop().create_task(_drain(process))


async def _drain(process: asyncio.subprocess.Process) -> None:
    assert process.stdout is not None
    while await process.stdout.readline():
        pass
