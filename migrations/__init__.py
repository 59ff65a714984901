"""Alembic migrations: one linear history, run by `interview-bot migrate` and at start-up."""
