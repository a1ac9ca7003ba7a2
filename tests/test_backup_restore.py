"""Backups: registry_backup keeps the newest BACKUP_KEEP copies; a dump restored into a new database is identical."""

import shutil
import sqlite3
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import (
    AnnualReportFactory,
    OnlineShopFactory,
    ServiceActivityFactory,
    ServicePointFactory,
    ShopYearFactory,
    VillageFactory,
)

on_postgresql = connection.vendor == "postgresql"
needs_postgresql = pytest.mark.skipif(not on_postgresql, reason="The dump and restore drill needs PostgreSQL.")
needs_client_programs = pytest.mark.skipif(
    on_postgresql and shutil.which("pg_dump") is None, reason="Needs pg_dump and pg_restore on PATH."
)
# Every registry table's rows, in one deterministic order, as text: equal fingerprints mean equal contents. The
# workers' heartbeats are the running processes' state, not the registry's: a live worker renews its row every few
# seconds, so the live stack and its restored dump never agree on it (and need not).
REGISTRY_TABLES = """
    SELECT tablename FROM pg_tables
    WHERE schemaname = 'public' AND (tablename LIKE 'villages\\_%' OR tablename LIKE 'rural\\_services\\_%')
      AND tablename <> 'villages_workerheartbeat'
    ORDER BY tablename
"""


def fill_registry(tree):
    villages = [VillageFactory(township=tree.town) for _ in range(3)]
    for village in villages:
        AnnualReportFactory(village=village)
        ShopYearFactory(shop=OnlineShopFactory(village=village))
    ServiceActivityFactory(point=ServicePointFactory(village=villages[0]))
    return villages


def connect(database_name):
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname=database_name,
        autocommit=True,
    )


def database_url(database_name):
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{settings['USER']}{password}@{host}:{settings['PORT'] or 5432}/{database_name}"


def registry_fingerprint(database_name):
    """Per registry table: its row count and the md5 of all its rows as text."""
    with connect(database_name) as target:
        # Row text includes timestamps, which PostgreSQL writes in the session's time zone.
        target.execute("SET TimeZone = 'UTC'")
        tables = [name for (name,) in target.execute(REGISTRY_TABLES)]
        return {
            table: target.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
            ).fetchone()
            for table in tables
        }


@pytest.fixture
def fresh_database():
    name = f"reg_restore_{uuid.uuid4().hex[:12]}"
    with connect("postgres") as server:
        server.execute(f"CREATE DATABASE {name}")
    yield name
    with connect("postgres") as server:
        server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@needs_client_programs
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_keeps_the_newest_backup_keep_copies(tree, tmp_path, settings):
    settings.BACKUP_KEEP = 2
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("not a backup")

    for _ in range(3):
        call_command("registry_backup", output=tmp_path)

    backups = sorted(path for path in tmp_path.iterdir() if path.name.startswith("registry-"))
    assert len(backups) == 2
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".partial")]
    assert unrelated.exists()


@pytest.mark.skipif(on_postgresql, reason="The SQLite copy is made with SQLite's backup API.")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sqlite_backup_is_a_complete_copy(tree, tmp_path):
    villages = fill_registry(tree)

    call_command("registry_backup", output=tmp_path)

    (backup,) = tmp_path.glob("registry-*.sqlite3")
    copy = sqlite3.connect(backup)
    try:
        codes = sorted(code for (code,) in copy.execute("SELECT code FROM villages_village"))
    finally:
        copy.close()
    assert codes == sorted(village.code for village in villages)


def test_restore_refuses_anything_but_postgresql(tmp_path):
    dump = tmp_path / "registry.dump"
    dump.write_bytes(b"PGDMP")

    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("registry_restore", str(dump), database_url=f"sqlite:///{tmp_path / 'target.sqlite3'}")


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("registry_restore", str(tmp_path / "absent.dump"), database_url="postgres://u@127.0.0.1/x")


@pytest.mark.postgres_only
@needs_postgresql
@needs_client_programs
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restored_database_has_identical_registry_tables(tree, tmp_path, fresh_database, capsys):
    fill_registry(tree)
    source = connection.settings_dict["NAME"]

    call_command("registry_backup", output=tmp_path)
    (dump,) = tmp_path.glob("registry-*.dump")
    call_command("registry_restore", str(dump), database_url=database_url(fresh_database))

    original = registry_fingerprint(source)
    restored = registry_fingerprint(fresh_database)
    assert original["villages_village"][0] == 3
    assert original["rural_services_serviceactivity"][0] == 1
    assert restored == original
    assert f"into database {fresh_database}" in capsys.readouterr().out


@pytest.mark.postgres_only
@needs_postgresql
@needs_client_programs
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_database_that_has_tables(tree, tmp_path, fresh_database):
    call_command("registry_backup", output=tmp_path)
    (dump,) = tmp_path.glob("registry-*.dump")
    call_command("registry_restore", str(dump), database_url=database_url(fresh_database))

    with pytest.raises(CommandError, match="not empty"):
        call_command("registry_restore", str(dump), database_url=database_url(fresh_database))


@pytest.mark.postgres_only
@needs_postgresql
@needs_client_programs
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_with_force_replaces_what_the_target_holds(tree, tmp_path, fresh_database):
    fill_registry(tree)
    call_command("registry_backup", output=tmp_path)
    (dump,) = tmp_path.glob("registry-*.dump")
    call_command("registry_restore", str(dump), database_url=database_url(fresh_database))
    with connect(fresh_database) as target:
        target.execute("DELETE FROM rural_services_serviceactivity")

    call_command("registry_restore", str(dump), database_url=database_url(fresh_database), force=True)

    assert registry_fingerprint(fresh_database) == registry_fingerprint(connection.settings_dict["NAME"])
