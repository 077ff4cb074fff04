"""Who the demo's customers and agents are: names, addresses, roles and skills, at random
from a seeded generator."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hub.models import Role

FIRST = (
    "Ava",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Keiko",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Priya",
    "Quentin",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Xin",
    "Yara",
    "Zoe",
)
LAST = (
    "Martin",
    "Okafor",
    "Silva",
    "Nguyen",
    "Kowalski",
    "Haddad",
    "Berg",
    "Moreau",
    "Rossi",
    "Tanaka",
    "Kaur",
    "Schmidt",
    "Dubois",
    "Ibrahim",
    "Lopez",
    "Novak",
)
LANGUAGES = ("spanish", "french", "german")
AGENT_DOMAIN = "demo.contacthub.example"  # agents of a demo: how a second run recognizes one


@dataclass(frozen=True)
class AgentSpec:
    name: str
    email: str
    role: Role
    skills: tuple[str, ...]
    capacity: dict[str, int]

    @property
    def takes_calls(self) -> bool:
        return "voice" in self.capacity


def agent_specs(
    rng: random.Random, written: int, phone: int, queue_skills: set[str], capacity: dict[str, int]
) -> list[AgentSpec]:
    """`written` agents for chats, texts and mail, `phone` for calls (an agent on a call takes
    no written work, so the demo keeps the two apart); the first is an admin, the next two
    supervisors. Everyone has every queue's skills, so any queue can be served."""
    names = _unique_names(rng, written + phone)
    specs = []
    for i, name in enumerate(names):
        calls = i >= written
        role: Role = "admin" if i == 0 else "supervisor" if i < 3 else "agent"
        extra = {rng.choice(LANGUAGES)} if rng.random() < 0.4 else set()
        skills = tuple(sorted(queue_skills | extra | ({"phone"} if calls else set())))
        slots = {"voice": 1} if calls else {c: n for c, n in capacity.items() if c != "voice"}
        email = f"{name.lower().replace(' ', '.')}@{AGENT_DOMAIN}"
        specs.append(AgentSpec(name, email, role, skills, slots))
    return specs


def _unique_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in names:
            names.append(name if len(names) < len(FIRST) * len(LAST) else f"{name} {len(names)}")
    return names


@dataclass(frozen=True)
class CustomerSpec:
    """A customer as the demo invents them: which channel they use decides their identities
    (an email address, and for some a phone number too; a phone number for texts and calls;
    a web chat visitor, who may have typed their email too)."""

    index: int
    name: str
    email: str
    phone: str
    kind: str  # "email", "phone" or "visitor"
    phone_too: bool = False  # an email customer who also texts and calls
    everywhere: bool = False  # a visitor who also writes, texts and calls: every identity


def customer_spec(rng: random.Random, index: int) -> CustomerSpec:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = f"{first.lower()}.{last.lower()}{index}@mail.example"
    phone = f"+1555{index:07d}"  # E.164, in a range no one is given
    kind = rng.choices(("visitor", "email", "phone"), weights=(4, 3, 4))[0]
    phone_too = kind == "email" and rng.random() < 0.3
    # The first customer is a regular on every channel, so even a small demo has one.
    everywhere = index == 0 or (kind == "visitor" and rng.random() < 0.15)
    kind, phone_too = ("visitor", False) if everywhere else (kind, phone_too)
    return CustomerSpec(index, f"{first} {last}", email, phone, kind, phone_too, everywhere)
