"""The agent console, the supervisor page, the customer widget's assets, and health."""

from agents_ui.api import Administration, ConversationServices
from agents_ui.health import HealthApi
from agents_ui.ui import AgentsUI

__all__ = ["Administration", "AgentsUI", "ConversationServices", "HealthApi"]
