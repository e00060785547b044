"""Prefect flows: thin wiring of cxpipeline.steps, with retries and typed parameters."""
