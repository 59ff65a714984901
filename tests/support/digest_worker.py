"""A digest-posting replica for the multi-process test: ticks until a stop file appears.

python -m tests.support.digest_worker DATABASE_URL SLACK_API_URL STOP_FILE
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from handlers.senders.digest import DigestPoster
from handlers.web_api.client import make_client
from storage.db import Database

TOKEN = "xoxb-test"


def main() -> int:
    url, api_url, stop_file = sys.argv[1:4]
    logging.basicConfig(level=logging.WARNING)
    db = Database(url)
    poster = DigestPoster(db=db, client=make_client(token=TOKEN, base_url=api_url))
    print("ready", flush=True)
    while not Path(stop_file).exists():
        poster.tick()
        time.sleep(0.05)  # a replica's tick interval, shortened
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
