"""Email: IMAP in (IDLE or polling), SMTP out, threading that keeps conversations whole."""

from channels.email.channel import EmailChannel

__all__ = ["EmailChannel"]
