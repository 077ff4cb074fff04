"""Voicemail: the recording becomes a message in the call's conversation (routed like any
message), and so does its transcription when Twilio's callback brings it. Both are keyed by
RecordingSid, so Twilio's retries add nothing."""

from __future__ import annotations

from aiohttp import web

from channels.twilio import twiml
from channels.twilio.forms import Recording, Transcription, parse_form
from channels.twilio.voice import VoiceCalls
from channels.twilio.webhooks import twiml as respond
from hub.flow.inbound import InboundStream
from hub.models import Attachment, Call, InboundMessage


class Voicemail:
    def __init__(self, voice: VoiceCalls, stream: InboundStream) -> None:
        self._voice = voice
        self._stream = stream

    async def recorded(self, _request: web.Request, form: dict[str, str]) -> web.Response:
        recording = parse_form(Recording, form)
        call, _ = await self._voice.call_and_conversation(recording.call_sid)
        if not recording.url or recording.duration == 0:
            await self._voice.calls.miss(call.sid, "no message left")
            return respond(twiml.goodbye())
        await self._store(
            call,
            f"recording:{recording.recording_sid or call.sid}",
            f"Voicemail ({recording.duration} s): {recording.url}",
            (
                Attachment(
                    name=f"voicemail-{recording.recording_sid or call.sid}.mp3",
                    content_type="audio/mpeg",
                    url=f"{recording.url}.mp3",
                ),
            ),
        )
        await self._voice.calls.update(
            call.sid, "voicemail", duration=recording.duration, recording_url=recording.url
        )
        return respond(twiml.goodbye("Thank you for your message. Goodbye."))

    async def transcription(self, _request: web.Request, form: dict[str, str]) -> web.Response:
        result = parse_form(Transcription, form)
        call, _ = await self._voice.call_and_conversation(result.call_sid)
        if result.status == "completed" and result.text.strip():
            text = f"Voicemail transcription: {result.text.strip()}"
        else:
            text = f"Voicemail transcription {result.status}: listen to the recording"
        await self._store(call, f"transcription:{result.recording_sid}", text, ())
        return respond(twiml.empty())

    async def _store(
        self, call: Call, key: str, text: str, attachments: tuple[Attachment, ...]
    ) -> None:
        await self._stream.receive(
            InboundMessage(
                channel="voice",
                customer_id=call.customer_id,
                dedupe_key=key,
                text=text,
                queue="",
                attachments=attachments,
                conversation_id=call.conversation_id,
                contact=call.from_number,
            )
        )
