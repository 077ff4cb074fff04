"""Labels: made, edited and deleted by supervisors and admins (the REST layer checks the
role), each change one transaction. Deleting a label takes it off every conversation, each
with a `conversation_updated` event so consoles drop it live."""

from __future__ import annotations

from hub.errors import Conflict, NotFound
from hub.events import ConversationUpdated
from hub.flow.publishing import PublishingWork
from hub.models import Agent, Label
from hub.ports import Transaction


class LabelService:
    def __init__(self, work: PublishingWork) -> None:
        self._work = work

    async def create(self, label: Label) -> Label:
        """Conflict when a label of that name exists."""

        def act(tx: Transaction) -> Label:
            if tx.labels.get(label.name) is not None:
                raise Conflict(f"label {label.name!r} exists")
            tx.labels.add(label)
            return label

        return await self._work.run(act)

    async def edit(self, name: str, color: str | None, description: str | None) -> Label:
        def act(tx: Transaction) -> Label:
            current = tx.labels.get(name)
            if current is None:
                raise NotFound("label", name)
            given = {"color": color, "description": description}
            edited = current.model_copy(update={k: v for k, v in given.items() if v is not None})
            tx.labels.update(edited)
            return edited

        return await self._work.run(act)

    async def delete(self, by: Agent, name: str) -> None:
        def act(tx: Transaction) -> None:
            if tx.labels.get(name) is None:
                raise NotFound("label", name)
            for conversation_id in tx.labels.delete(name):
                conversation = tx.conversations.get(conversation_id)
                assert conversation is not None
                changes = {"labels": list(tx.labels.of(conversation_id))}
                event = ConversationUpdated(
                    conversation_id=conversation_id,
                    customer_id=conversation.customer_id,
                    agent_id=by.id,
                    changes=changes,
                )
                tx.emit(event, audience=conversation.assignee_id)

        await self._work.run(act)
