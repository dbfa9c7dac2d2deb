"""The build database: its schema (the contract between loaders and dbt) and connections."""
