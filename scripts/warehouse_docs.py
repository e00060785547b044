"""Write docs/warehouse.md from the schema models, as the comments of a fresh warehouse.

Usage: python scripts/warehouse_docs.py [--check]   (--check: exit 1 if the file is stale)
"""

from __future__ import annotations

import sys

import duckdb

from cxpipeline import warehouse, warehouse_comments
from cxpipeline.schemas.catalog import render_markdown
from cxpipeline.settings import REPO_ROOT

TARGET = REPO_ROOT / "docs" / "warehouse.md"


def rendered() -> str:
    """Return docs/warehouse.md as a freshly migrated in-memory warehouse describes itself."""
    con = duckdb.connect()
    try:
        warehouse.migrate(con)
        return render_markdown(warehouse_comments.described_relations(con))
    finally:
        con.close()


def main(argv: list[str]) -> int:
    """Write the file, or with --check report whether it is current."""
    text = rendered()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python scripts/warehouse_docs.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
