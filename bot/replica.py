"""This process's name in the database's leases (reminder deliveries, theme upkeep): unique per run."""

import os
import socket
import uuid


def replica_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
