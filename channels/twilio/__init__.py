"""Twilio SMS and voice: signed webhooks in, the REST API out through the outbox."""

from channels.twilio.channel import TwilioChannel

__all__ = ["TwilioChannel"]
