"""The agent console, the supervisor page and the customer widget's assets."""

from agents_ui.ui import AgentsUI

__all__ = ["AgentsUI"]
