"""Report writers: HTML with charts, Excel and CSV, all protected against formula injection."""
