"""Persistence: models, the engine/session factory and migrations; nothing here knows about Slack."""

from storage.db import Database

__all__ = ["Database"]
