"""The jobs: where the database, the domain and the mailer meet (run_day, tick, send_due)."""

from followup.jobs.day import DayResult, run_day, skip_pick
from followup.jobs.sending import SendSummary, send_due
from followup.jobs.tick import TickReport, tick

__all__ = [
    "DayResult",
    "SendSummary",
    "TickReport",
    "run_day",
    "send_due",
    "skip_pick",
    "tick",
]
