"""What demo customers and agents say, per channel: a few templates, filled at random."""

from __future__ import annotations

import random

PRODUCTS = ("router", "subscription", "invoice", "order", "account", "delivery", "refund")

OPENINGS = {
    "webchat": (
        "Hi, my {p} stopped working this morning, can someone help?",
        "Hello! I can't log in to my {p} page.",
        "Quick question about my {p}: where do I see its status?",
        "Is anyone there? My {p} is still not here.",
    ),
    "sms": (
        "Hi, my {p} hasn't arrived yet. Any news?",
        "Can you call me back about my {p}?",
        "The {p} link you sent doesn't open",
    ),
    "email": (
        "Hello,\n\nI was charged twice for my {p} this month. Could you look into it?\n\nThanks",
        "Hi team,\n\nMy {p} shows an error since yesterday. Screenshots to follow.\n\nBest",
        "Good morning,\n\nI would like to change the address on my {p}.\n\nRegards",
    ),
}
SUBJECTS = ("Charged twice for my {p}", "Problem with my {p}", "Question about my {p}")
FOLLOW_UPS = (
    "Thanks, that helps. One more thing: how long will it take?",
    "I tried that, it still doesn't work.",
    "Here is the reference: {n}",
    "OK, I'll wait then.",
)
REPLIES = (
    "Hi {name}, thanks for reaching out. Let me check your {p} right away.",
    "I can see the problem on our side, I'm fixing it now.",
    "Could you send me the reference number on your {p}?",
    "Done: you should see the change within the hour.",
)
CLOSINGS = ("Perfect, thank you!", "Great, all sorted. Bye!", "Thanks for the quick help.")
NOTES = (
    "Customer is a repeat contact about the same {p}; escalate if it happens again.",
    "Checked billing: a duplicate charge, refund issued.",
    "Waiting for the warehouse to confirm the {p}.",
)
VOICEMAIL_TEXTS = (
    "Hi, this is {name}, calling about my {p}. Please call me back.",
    "Hello, {name} here. The {p} problem is back, call me when you can.",
)


def fill(rng: random.Random, templates: tuple[str, ...], name: str = "") -> str:
    return rng.choice(templates).format(
        p=rng.choice(PRODUCTS), n=rng.randint(10000, 99999), name=name
    )
