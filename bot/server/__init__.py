"""Requests from Slack: verify, triage, ack and hand the work over; app.py alone imports Bolt."""
