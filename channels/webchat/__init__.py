"""Web chat: the customer widget's websocket."""

from channels.webchat.socket import WebchatChannel

__all__ = ["WebchatChannel"]
