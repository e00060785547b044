"""Reference data as a layer: zone, prefix and calling-rule lookups, built once and cached.

Transforms never load files or open DuckDB: steps get these lookups from here and pass them in.
"""
