"""The build database (its schema, the contract between loaders and dbt, and connections) and
the published warehouse made from it (atomic copy, dbt docs, the read-only SQL shell)."""
