"""Talking to Slack: Block Kit messages built within Slack's limits."""
