"""Database sessions (an in-memory database stands in for Postgres)."""
