"""`contacthub demo`: a realistic, backdated history written through the same services as
real traffic (the inbound stream, conversations, offers, calls), so its timeline and event
log are what live traffic would have left. `people` and `texts` are what it says, `plans`
decides each conversation's course (pure, seeded), `script` plays one through the services
at its own clock, and `run` puts it together."""

from hub.demo.run import DemoOptions, DemoReport, run_demo

__all__ = ["DemoOptions", "DemoReport", "run_demo"]
