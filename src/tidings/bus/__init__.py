"""The event bus: channels, envelopes, the Hub and Mailboxes, over broadcaster."""

from . import channels
from .bus import BroadcastBus, EventBus, open_bus
from .events import RESYNC, Event
from .mailbox import Mailbox, MailboxCounters, Policy

__all__ = [
    "RESYNC",
    "BroadcastBus",
    "Event",
    "EventBus",
    "Mailbox",
    "MailboxCounters",
    "Policy",
    "channels",
    "open_bus",
]
