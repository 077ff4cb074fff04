"""Outbound sends: the typed items committed with the change that asks for them, and the relay
that carries them out."""
