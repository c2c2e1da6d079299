"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from channelfront.extensions import db


def test_models_and_migrations_agree(app, ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migration_history_is_linear_and_date_prefixed():
    from pathlib import Path

    versions = sorted(Path(__file__).resolve().parents[1].glob("migrations/versions/*.py"))
    assert versions
    for path in versions:
        assert path.name[:8].isdigit(), path.name
