"""Twilio's webhook forms, parsed at the edge into typed records. Twilio sends many more
fields than these (and adds new ones), so unknown fields are ignored; a missing one we need
is a 400 that names it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hub.errors import BadInput


class TwilioForm(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class InboundSms(TwilioForm):
    message_sid: str = Field(alias="MessageSid", min_length=1)
    sender: str = Field(alias="From", min_length=1)
    to: str = Field(alias="To", min_length=1)
    body: str = Field(alias="Body", default="")
    num_media: int = Field(alias="NumMedia", default=0, ge=0, le=10)
    messaging_service_sid: str | None = Field(alias="MessagingServiceSid", default=None)


class MessageStatus(TwilioForm):
    message_sid: str = Field(alias="MessageSid", min_length=1)
    status: str = Field(alias="MessageStatus", min_length=1)
    error_code: str | None = Field(alias="ErrorCode", default=None)
    error_message: str | None = Field(alias="ErrorMessage", default=None)


class CallEvent(TwilioForm):
    call_sid: str = Field(alias="CallSid", min_length=1)
    sender: str = Field(alias="From", default="")
    to: str = Field(alias="To", default="")
    status: str = Field(alias="CallStatus", default="")
    duration: int | None = Field(alias="CallDuration", default=None, ge=0)


class IncomingCall(CallEvent):
    sender: str = Field(alias="From", min_length=1)
    to: str = Field(alias="To", min_length=1)


class QueueWait(TwilioForm):
    call_sid: str = Field(alias="CallSid", min_length=1)
    position: int = Field(alias="QueuePosition", ge=0)
    waited: int = Field(alias="QueueTime", ge=0)


class QueueResult(TwilioForm):
    call_sid: str = Field(alias="CallSid", min_length=1)
    result: str = Field(alias="QueueResult", min_length=1)


class DialResult(TwilioForm):
    call_sid: str = Field(alias="CallSid", min_length=1)
    status: str = Field(alias="DialCallStatus", min_length=1)
    duration: int | None = Field(alias="DialCallDuration", default=None, ge=0)


class AgentLeg(TwilioForm):
    call_sid: str = Field(alias="ParentCallSid", min_length=1)
    status: str = Field(alias="CallStatus", min_length=1)
    duration: int | None = Field(alias="CallDuration", default=None, ge=0)


class Recording(TwilioForm):
    call_sid: str = Field(alias="CallSid", min_length=1)
    recording_sid: str = Field(alias="RecordingSid", default="")
    url: str = Field(alias="RecordingUrl", default="")
    duration: int = Field(alias="RecordingDuration", default=0, ge=0)


class Transcription(TwilioForm):
    call_sid: str = Field(alias="CallSid", min_length=1)
    recording_sid: str = Field(alias="RecordingSid", min_length=1)
    text: str = Field(alias="TranscriptionText", default="")
    status: str = Field(alias="TranscriptionStatus", min_length=1)


F = TypeVar("F", bound=TwilioForm)


def parse_form(model: type[F], form: Mapping[str, str]) -> F:
    try:
        return model.model_validate(dict(form))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        if first["type"] == "missing":
            raise BadInput(f"missing field {field}") from None
        raise BadInput(f"field {field}: {first['msg']}") from None


def media_of(form: Mapping[str, str], count: int) -> list[tuple[str, str]]:
    """The MMS media (URL, content type) that came with a message."""
    media = []
    for index in range(count):
        url = form.get(f"MediaUrl{index}")
        if not url:
            raise BadInput(f"missing field MediaUrl{index} (NumMedia is {count})")
        media.append((url, form.get(f"MediaContentType{index}", "application/octet-stream")))
    return media
