"""Assignment: queues, skills, capacity and presence decide who is offered what. Imports hub
only; the composition root hands the router its ports and settings."""

from routing.router import LEASE, EventSource, Router

__all__ = ["LEASE", "EventSource", "Router"]
