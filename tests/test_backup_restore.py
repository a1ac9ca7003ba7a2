"""Backups: registry_backup keeps the newest BACKUP_KEEP copies; a dump restored into a new database is identical,
and the uploaded files (MEDIA_ROOT) come back with it."""

import io
import shutil
import sqlite3
import tarfile
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

    archives = sorted(path for path in tmp_path.iterdir() if path.name.endswith(".media.tar"))
    backups = sorted(path for path in tmp_path.iterdir() if path.name.startswith("registry-") and path not in archives)
    assert len(backups) == 2
    assert [path.name.rsplit(".", 1)[0] for path in backups] == [path.name[: -len(".media.tar")] for path in archives]
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".partial")]
    assert unrelated.exists()


UPLOADED = {"evidence/2023/报表.pdf": b"%PDF-1.4 statement", "imports/villages.csv": "代码,名称\n".encode(),
            "evidence/2023/photos/shop.jpg": bytes(range(256))}


def upload(media_root):
    for name, content in UPLOADED.items():
        (media_root / name).parent.mkdir(parents=True, exist_ok=True)
        (media_root / name).write_bytes(content)


def files_under(folder):
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@needs_client_programs
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_holds_every_uploaded_file(tree, tmp_path, settings, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload(settings.MEDIA_ROOT)

    call_command("registry_backup", output=tmp_path / "backups")

    (archive,) = (tmp_path / "backups").glob("registry-*.media.tar")
    with tarfile.open(archive) as opened:
        held = {member.name: opened.extractfile(member).read() for member in opened.getmembers() if member.isfile()}
    assert held == UPLOADED
    assert f"Uploaded files: 3 from {settings.MEDIA_ROOT}" in capsys.readouterr().out


@needs_client_programs
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_without_uploads_has_an_empty_file_archive(tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "never-created"
    call_command("registry_backup", output=tmp_path)
    (archive,) = tmp_path.glob("registry-*.media.tar")
    with tarfile.open(archive) as opened:
        assert opened.getmembers() == []


def hostile_archive(path, name, link_to=None):
    """An archive with a harmless file first, then `name`: a file, or a symbolic link to `link_to`."""
    with tarfile.open(path, "w") as archive:
        for member_name, target in (("evidence/fine.pdf", None), (name, link_to)):
            member = tarfile.TarInfo(member_name)
            if target is None:
                member.size = 4
                archive.addfile(member, io.BytesIO(b"data"))
            else:
                member.type, member.linkname = tarfile.SYMTYPE, target
                archive.addfile(member)
    return path


@pytest.mark.parametrize(("name", "link_to"), [("../outside.txt", None), ("evidence/passwd", "/etc/passwd"),
                                               ("evidence/up", "../../../outside")])
def test_restore_refuses_a_file_archive_that_leads_outside_and_writes_nothing(tmp_path, name, link_to):
    dump = tmp_path / "registry.dump"
    dump.write_bytes(b"PGDMP")
    media_root = tmp_path / "media" / "root"
    archive = hostile_archive(tmp_path / "bad.media.tar", name, link_to)

    with pytest.raises(CommandError, match="outside"):
        call_command("registry_restore", str(dump), database_url="postgres://u@127.0.0.1:1/x", media=archive,
                     media_root=media_root)
    assert not media_root.exists()
    assert not (tmp_path / "media" / "outside.txt").exists()


def test_restore_refuses_a_file_archive_that_is_not_a_tar(tmp_path):
    dump = tmp_path / "registry.dump"
    dump.write_bytes(b"PGDMP")
    (tmp_path / "broken.media.tar").write_bytes(b"not a tar at all")
    with pytest.raises(CommandError, match="not a registry_backup file archive"):
        call_command("registry_restore", str(dump), database_url="postgres://u@127.0.0.1:1/x",
                     media=tmp_path / "broken.media.tar", media_root=tmp_path / "media")


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


@pytest.mark.postgres_only
@needs_postgresql
@needs_client_programs
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_puts_the_uploaded_files_back(tree, tmp_path, fresh_database, settings, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload(settings.MEDIA_ROOT)
    call_command("registry_backup", output=tmp_path / "backups")
    (dump,) = (tmp_path / "backups").glob("registry-*.dump")
    (archive,) = (tmp_path / "backups").glob("registry-*.media.tar")
    restored_root = tmp_path / "new-server" / "media"

    call_command("registry_restore", str(dump), database_url=database_url(fresh_database), media=archive,
                 media_root=restored_root)

    assert files_under(restored_root) == UPLOADED
    assert f"Restored 3 uploaded files from {archive} into {restored_root}." in capsys.readouterr().out


@pytest.mark.postgres_only
@needs_postgresql
@needs_client_programs
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_media_folder_that_has_files_before_touching_the_database(
    tree, tmp_path, fresh_database, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload(settings.MEDIA_ROOT)
    call_command("registry_backup", output=tmp_path / "backups")
    (dump,) = (tmp_path / "backups").glob("registry-*.dump")
    (archive,) = (tmp_path / "backups").glob("registry-*.media.tar")

    with pytest.raises(CommandError, match="is not empty"):
        call_command("registry_restore", str(dump), database_url=database_url(fresh_database), media=archive)
    with connect(fresh_database) as target:
        assert target.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0

    (settings.MEDIA_ROOT / "evidence/2023/报表.pdf").write_bytes(b"changed since")
    call_command("registry_restore", str(dump), database_url=database_url(fresh_database), media=archive, force=True)
    assert files_under(settings.MEDIA_ROOT) == UPLOADED


def test_restore_refuses_a_media_folder_that_is_a_file(tmp_path):
    dump = tmp_path / "registry.dump"
    dump.write_bytes(b"PGDMP")
    archive = hostile_archive(tmp_path / "fine.media.tar", "evidence/more.pdf")
    (tmp_path / "media").write_text("a file where the folder should be")
    with pytest.raises(CommandError, match="is a file, not a folder"):
        call_command("registry_restore", str(dump), database_url="postgres://u@127.0.0.1:1/x", media=archive,
                     media_root=tmp_path / "media")
    assert (tmp_path / "media").read_text() == "a file where the folder should be"


@needs_client_programs
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_unreadable_upload_fails_the_backup_with_a_message_and_leaves_no_files(tree, tmp_path, settings,
                                                                                  monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload(settings.MEDIA_ROOT)
    real_add = tarfile.TarFile.add

    def add(archive, name, *args, **kwargs):
        # As the OS answers a file the backup's user may not read (root reads every file, so it is simulated).
        if str(name).endswith("villages.csv"):
            raise PermissionError(13, "Permission denied", str(name))
        return real_add(archive, name, *args, **kwargs)

    monkeypatch.setattr(tarfile.TarFile, "add", add)
    with pytest.raises(CommandError, match="Cannot read the uploaded file .*villages.csv"):
        call_command("registry_backup", output=tmp_path / "backups")
    assert list((tmp_path / "backups").iterdir()) == []
