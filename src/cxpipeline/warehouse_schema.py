"""The key of what `warehouse.migrate` makes, stored in the file so a current one is not redone."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from cxpipeline.settings import SQL_DIR
from cxpipeline.warehouse_relations import RELATIONS

_PACKAGE = Path(__file__).parent

#: The code that describes the relations (comments, checks) or expands the DDL's `{{marker}}`
#: lines: the campaign model's keys and what it imports (a test holds the list to it).
KEY_CODE = (
    "schemas/*.py",
    "campaigns/*.py",
    "rules/*.py",
    "codes.py",
    "treatments.py",
    "tzdb.py",
    "warehouse_comments.py",
)


def key_files() -> list[Path]:
    """Return the files the key is computed from: every relation's DDL, then KEY_CODE."""
    code = sorted({path for pattern in KEY_CODE for path in _PACKAGE.glob(pattern)})
    return [*(SQL_DIR / f"{name}.sql" for name in RELATIONS), *code]


@cache
def schema_key() -> str:
    """sha256 of what `migrate` makes: every relation's DDL and the code describing them.

    The DDL is hashed as written, with the code its markers expand from: expanding it would
    import the campaign model into every step's process for this key alone (~0.25 s).
    """
    digest = hashlib.sha256()
    for path in key_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()
