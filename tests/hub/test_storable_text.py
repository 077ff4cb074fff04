"""Text the databases cannot store (NUL, unpaired surrogates): found in frames with the field
named, and dropped or replaced in providers' messages with the count recorded."""

from __future__ import annotations

from hub.ids import CustomerId
from hub.models import Attachment, InboundMessage
from hub.wire.text import storable, storable_message, unstorable_field


def test_the_first_unstorable_string_is_named_by_its_path() -> None:
    frame = {"type": "reply", "text": "fine", "attachments": [{"name": "a\x00.pdf"}]}
    assert unstorable_field(frame) == ("attachments.0.name", "a NUL character (U+0000)")
    assert unstorable_field({"text": "lone \ud83d"}) == (
        "text",
        "an unpaired surrogate (U+D83D)",
    )
    assert unstorable_field({"k\x00": 1}) == ("k\x00", "its name contains a NUL character (U+0000)")
    assert unstorable_field({"text": "emoji 😀 and ü are fine"}) is None


def test_storable_drops_nul_and_replaces_surrogates() -> None:
    assert storable("a\x00b\ud800c") == ("ab\ufffdc", 2)
    assert storable("plain") == ("plain", 0)


def test_a_providers_message_is_kept_clean_and_says_so() -> None:
    sms = InboundMessage(
        channel="sms",
        customer_id=CustomerId("c1"),
        dedupe_key="sms:SM1",
        text="where\x00 is my order",
        queue="general",
        attachments=(Attachment(name="pic\ud800.jpg", content_type="image/jpeg", url="u"),),
        meta={"from": "x\x00"},
    )
    clean = storable_message(sms)
    assert clean.text == "where is my order"
    assert clean.attachments[0].name == "pic\ufffd.jpg"
    assert clean.meta == {"from": "x", "replaced_characters": 3}
    ordinary = sms.model_copy(update={"text": "ok", "attachments": (), "meta": {}})
    assert storable_message(ordinary) is ordinary
