"""What the hub does: one service per concern. Each action is one transaction over the ports
(hub/ports), writing its change, its timeline entry and its event together."""
