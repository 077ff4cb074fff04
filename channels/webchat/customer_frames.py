"""The customer widget's frames (docs/protocol.md, "Customer socket")."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from hub.wire.parsing import Frame


class Hello(Frame):
    type: Literal["hello"]
    visitor_token: Annotated[str, Field(min_length=8, max_length=128)] | None = None
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")] | None = None


class SendMessage(Frame):
    type: Literal["message"]
    client_id: Annotated[str, Field(min_length=1, max_length=64)]
    text: Annotated[str, Field(min_length=1)]


class Typing(Frame):
    type: Literal["typing"]
    typing: bool


class Ping(Frame):
    type: Literal["ping"]


CustomerFrame = Annotated[Hello | SendMessage | Typing | Ping, Field(discriminator="type")]
CUSTOMER_FRAMES: TypeAdapter[CustomerFrame] = TypeAdapter(CustomerFrame)
