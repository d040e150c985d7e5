"""PostgreSQL and Redis adapters of the availability service."""
