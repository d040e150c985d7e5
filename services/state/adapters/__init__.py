"""PostgreSQL adapters of the state service."""
