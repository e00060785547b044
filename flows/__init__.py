"""Prefect flows: thin wiring of cxpipeline.steps, with retries and typed parameters."""

import os

# Prefect's embedded server sends a telemetry heartbeat from a background service; on its
# SQLite store that races the flow's own writes and logs a long "database is locked" traceback
# in an otherwise clean run. A run of ours has no use for it; set the variable to override.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
