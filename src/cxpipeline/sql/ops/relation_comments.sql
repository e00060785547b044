-- Relations of the warehouse with their kind and comment (warehouse.apply_comments, docs).
SELECT table_name AS name, 'TABLE' AS kind, comment
FROM duckdb_tables()
WHERE schema_name = 'main' AND NOT internal AND NOT temporary
UNION ALL
SELECT view_name AS name, 'VIEW' AS kind, comment
FROM duckdb_views()
WHERE schema_name = 'main' AND NOT internal AND NOT temporary;
