"""PostgreSQL, Redis and gRPC adapters of the assigner service."""
