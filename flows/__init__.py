"""Prefect flows: thin wiring of cxpipeline.pipeline steps, with retries and typed parameters."""
