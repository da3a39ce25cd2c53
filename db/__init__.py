"""Alembic environment and migrations for the dxdesk schema (applied automatically at start-up)."""
