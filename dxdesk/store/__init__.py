"""Storage: ORM models, engine and sessions, migrations, dataset import/export, snapshots."""
