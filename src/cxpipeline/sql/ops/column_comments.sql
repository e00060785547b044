-- Columns of the warehouse's relations with their type and comment, in column order.
SELECT table_name, column_name, data_type, comment
FROM duckdb_columns()
WHERE schema_name = 'main' AND NOT internal
ORDER BY table_name, column_index;
