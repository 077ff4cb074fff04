"""The message flow: group commit, the bus, the ordered feed, publishing after commit, and the
inbound stream every channel hands its messages to."""
