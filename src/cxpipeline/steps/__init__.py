"""Pipeline steps: each reads its inputs, calls pure transforms, validates and writes.

Steps take and return paths and small summaries, never frames, so Prefect tasks in `flows/`
wrap them one to one and the CLI calls them directly (docs/architecture.md).
"""
