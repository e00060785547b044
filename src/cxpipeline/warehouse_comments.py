"""DuckDB comments: the catalogue's description of every relation and column, stored and read."""

from __future__ import annotations

import duckdb

from cxpipeline.schemas import catalog
from cxpipeline.warehouse import RELATIONS, load_sql_statement, quote_identifier


def _sql_text(text: str) -> str:
    """Quote a text as a SQL string literal (COMMENT ON takes no bound values)."""
    return "'" + text.replace("'", "''") + "'"


def apply_comments(con: duckdb.DuckDBPyConnection) -> None:
    """Store the catalogue's description of every relation and column as DuckDB comments.

    Only comments that differ are written (views lose theirs when they are re-created).
    """
    kinds = {
        n: (k, c) for n, k, c in con.execute(load_sql_statement("relation_comments")).fetchall()
    }
    stored = {
        (t, c): comment
        for t, c, _, comment in con.execute(load_sql_statement("column_comments")).fetchall()
    }
    for name, doc in catalog.relation_docs().items():
        if name not in kinds:
            continue
        kind, comment = kinds[name]
        relation = quote_identifier(name, set(RELATIONS))
        if comment != doc.description:
            con.execute(f"COMMENT ON {kind} {relation} IS {_sql_text(doc.description)}")
        columns = {c for t, c in stored if t == name}
        for column, text in doc.columns.items():
            if column in columns and stored.get((name, column)) != text:
                target = f"{relation}.{quote_identifier(column, columns)}"
                con.execute(f"COMMENT ON COLUMN {target} IS {_sql_text(text)}")


def described_relations(con: duckdb.DuckDBPyConnection) -> list[catalog.DescribedRelation]:
    """Every relation of RELATIONS as stored: kind, comment, and columns with type and comment."""
    kinds = {
        n: (k, c) for n, k, c in con.execute(load_sql_statement("relation_comments")).fetchall()
    }
    columns: dict[str, list[catalog.DescribedColumn]] = {}
    for table, column, data_type, comment in con.execute(
        load_sql_statement("column_comments")
    ).fetchall():
        columns.setdefault(table, []).append(catalog.DescribedColumn(column, data_type, comment))
    return [
        catalog.DescribedRelation(
            name, kinds[name][0].lower(), kinds[name][1], tuple(columns.get(name, []))
        )
        for name in RELATIONS
        if name in kinds
    ]
