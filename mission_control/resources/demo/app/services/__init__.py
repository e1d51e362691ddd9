"""Application services: the entry points the web layer calls."""
