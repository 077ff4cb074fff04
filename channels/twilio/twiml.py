"""The TwiML documents we answer calls with, built by the twilio library (so text from a
caller or a config file is escaped, never spliced into XML)."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

from hub.models import Agent
from hub.settings import TwilioSettings


def greet_then(settings: TwilioSettings, route_url: str) -> VoiceResponse:
    response = VoiceResponse()
    response.say(settings.greeting)
    response.redirect(route_url, method="POST")
    return response


def dial_agent(agent: Agent, action_url: str, leg_url: str) -> VoiceResponse:
    """Connect the caller to the agent's phone, or to their Twilio Client identity."""
    target = agent.voice_target or f"client:{agent.id}"
    dial = Dial(action=action_url, method="POST", timeout=20)
    leg = {
        "status_callback_event": "ringing answered completed",
        "status_callback": leg_url,
        "status_callback_method": "POST",
    }
    if target.startswith("client:"):
        dial.client(target.removeprefix("client:"), **leg)
    else:
        dial.number(target, **leg)
    response = VoiceResponse()
    response.append(dial)
    return response


def enqueue(queue: str, wait_url: str, action_url: str) -> VoiceResponse:
    response = VoiceResponse()
    response.enqueue(
        f"contacthub-{queue}",
        wait_url=wait_url,
        wait_url_method="POST",
        action=action_url,
        method="POST",
    )
    return response


def hold(settings: TwilioSettings, position: int) -> VoiceResponse:
    response = VoiceResponse()
    if position:
        response.say(f"You are number {position} in line.")
    response.play(settings.hold_music_url)
    return response


def leave_queue() -> VoiceResponse:
    response = VoiceResponse()
    response.leave()
    return response


def voicemail(settings: TwilioSettings, recorded_url: str, transcription_url: str) -> VoiceResponse:
    response = VoiceResponse()
    response.say(settings.voicemail.prompt)
    record: dict[str, object] = {
        "max_length": settings.voicemail.max_length_seconds,
        "action": recorded_url,
        "method": "POST",
        "play_beep": True,
    }
    if settings.voicemail.transcribe:
        record |= {"transcribe": True, "transcribe_callback": transcription_url}
    response.record(**record)
    return response


def goodbye(text: str = "Thank you. Goodbye.") -> VoiceResponse:
    response = VoiceResponse()
    response.say(text)
    response.hangup()
    return response


def empty() -> VoiceResponse:
    return VoiceResponse()
