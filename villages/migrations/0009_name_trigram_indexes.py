"""Trigram (pg_trgm) GIN indexes on village and division names, so `name LIKE '%…%'` is an index scan on PostgreSQL.

PostgreSQL only: SQLite has no trigram indexes, and there the migration does nothing. The indexes are not in
the models' Meta: a GinIndex there would be created on SQLite too, which cannot build one. Reversing drops
the indexes but leaves the extension, which other objects of the database may use.
"""

from django.db import migrations

TRIGRAM_INDEXES = {
    "village_name_trgm": "villages_village",
    "division_name_trgm": "villages_division",
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for index, table in TRIGRAM_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (name gin_trgm_ops)")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [
        ("villages", "0008_import_job_heartbeat"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
