"""A scheduler replica for the multi-process tests: ticks until a stop file appears.

python -m tests.support.reminder_worker DATABASE_URL SLACK_API_URL STOP_FILE [LEASE_SECONDS]
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import timedelta
from pathlib import Path

from bot.reminders.deliveries import ReminderPolicy
from handlers.senders.reminders import ReminderSender
from handlers.web_api.client import make_client
from handlers.web_api.timezones import Timezones
from storage.db import Database

TOKEN = "xoxb-test"


def main() -> int:
    url, api_url, stop_file = sys.argv[1:4]
    lease = timedelta(seconds=float(sys.argv[4]) if len(sys.argv) > 4 else 3)
    logging.basicConfig(level=logging.WARNING)
    db = Database(url)
    sender = ReminderSender(
        db=db,
        client=make_client(token=TOKEN, base_url=api_url),
        timezones=Timezones(db),
        policy=ReminderPolicy(working_hours=None, max_resends=0, lease=lease),
        batch=50,
    )
    print("ready", flush=True)
    while not Path(stop_file).exists():
        sender.tick()
        time.sleep(0.05)  # a replica's tick interval, shortened
    sender.close()
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
