"""interview-bot: the customer-interview feedback loop, inside Slack."""
