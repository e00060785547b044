"""Pure LazyFrame stages: each takes and returns frames, with no I/O and no Prefect."""
