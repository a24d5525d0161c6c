"""Test doubles for the services fwtrend talks to (see ``slack_api`` for the fake Slack)."""
