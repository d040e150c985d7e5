"""The one PostgreSQL database: schema objects, engine factory and Alembic migrations."""
