"""The jobs: where the database, the domain and the mailer meet (run_day, tick, send_due)."""

from followup.jobs.day import DayResult, run_day
from followup.jobs.sending import SendSummary, TickReport, send_due, tick

__all__ = ["DayResult", "SendSummary", "TickReport", "run_day", "send_due", "tick"]
