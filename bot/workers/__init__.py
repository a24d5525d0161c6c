"""Answer workers: processes that compute and deliver answers after Slack's acknowledgement."""

from bot.workers.jobs import Job, JobResult
from bot.workers.pool import AnswerPool

__all__ = ["AnswerPool", "Job", "JobResult"]
