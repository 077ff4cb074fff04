"""What both edges (channels and agents_ui) share on the wire: frame parsing and the socket
bookkeeping, so the customer and agent sockets refuse bad input and shut down alike."""
