"""`manage.py registry_restore FILE --database-url URL [--media ARCHIVE]`: load a registry_backup dump into a new
PostgreSQL database, and the uploaded files of the same backup into MEDIA_ROOT."""

import subprocess
import tarfile
from pathlib import Path

import environ
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from villages.management.commands.registry_backup import client_environment, client_program

POSTGRESQL_ENGINES = {"django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"}
USER_TABLES = """
    SELECT count(*) FROM information_schema.tables
    WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
"""


def table_count(database: dict) -> int:
    """How many tables the database holds outside PostgreSQL's own schemas."""
    connection_settings = {
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "dbname": database["NAME"],
    }
    try:
        with psycopg.connect(**connection_settings, connect_timeout=10) as connection:
            return connection.execute(USER_TABLES).fetchone()[0]
    except psycopg.OperationalError as error:
        raise CommandError(
            f"Cannot connect to the target database {database['NAME']}: {error}. "
            f"Create it first, e.g. `createdb -O {database.get('USER') or '<owner>'} {database['NAME']}`."
        ) from error


def checked_media_members(archive: Path, media_root: Path) -> list[tarfile.TarInfo]:
    """The files of a backup's `.media.tar`, each checked to land inside `media_root` (a clear refusal otherwise).

    Python's "data" extraction filter refuses absolute paths, `..`, links leading out and device files; every
    member is checked before anything is written, so a bad archive changes nothing.
    """
    if not archive.is_file():
        raise CommandError(f"No file archive at {archive}.")
    try:
        with tarfile.open(archive) as opened:
            members = opened.getmembers()
    except (tarfile.TarError, OSError) as error:
        raise CommandError(f"{archive} is not a registry_backup file archive (a tar file): {error}.") from error
    for member in members:
        try:
            tarfile.data_filter(member, str(media_root))
        except tarfile.FilterError as error:
            raise CommandError(f"{archive} holds {member.name!r}, which would land outside {media_root}: {error}. "
                               "Nothing was restored.") from error
    return members


class Command(BaseCommand):
    help = (
        "Restore a registry_backup dump (pg_dump -Fc) into a new, empty PostgreSQL database given by URL; a "
        "database that already has tables is refused unless --force, which replaces the objects in the dump."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A .dump file written by registry_backup.")
        parser.add_argument(
            "--database-url", required=True, help="The target, e.g. postgres://user:password@host:5432/registry_new."
        )
        parser.add_argument(
            "--force", action="store_true",
            help="Restore into a database that has tables (and a media folder that has files), replacing what they "
            "hold.",
        )
        parser.add_argument(
            "--media", type=Path, help="The backup's .media.tar (uploaded files), extracted into MEDIA_ROOT."
        )
        parser.add_argument("--media-root", type=Path, help="Where the files go (default: the MEDIA_ROOT setting).")

    def handle(self, *args, file, database_url, force=False, media=None, media_root=None, **options):
        if not file.is_file():
            raise CommandError(f"No backup file at {file}.")
        media_root = media_root or Path(settings.MEDIA_ROOT)
        if media is not None:
            if media_root.exists() and not media_root.is_dir():
                raise CommandError(f"The media folder {media_root} is a file, not a folder. Nothing was restored.")
            checked_media_members(media, media_root)
            if media_root.is_dir() and any(media_root.iterdir()) and not force:
                raise CommandError(
                    f"The media folder {media_root} is not empty. Restore into an empty folder (--media-root), or "
                    "pass --force to write the archive's files over it."
                )
        database = environ.Env.db_url_config(database_url)
        if database["ENGINE"] not in POSTGRESQL_ENGINES:
            raise CommandError(
                "registry_restore loads PostgreSQL dumps into PostgreSQL. A SQLite backup is a complete database "
                "file: stop the site and copy it in place of the database file."
            )
        existing = table_count(database)
        if existing and not force:
            raise CommandError(
                f"The target database {database['NAME']} is not empty ({existing} tables). Restore into a new "
                "database, or pass --force to replace the objects in the dump."
            )

        command = [
            client_program("pg_restore"),
            "--no-password",
            # The dump may come from a cluster with other roles: the URL's user owns what is restored.
            "--no-owner",
            "--no-privileges",
            # All or nothing: a failure leaves the target as it was.
            "--single-transaction",
            "--exit-on-error",
            *(["--clean", "--if-exists"] if existing else []),
            f"--dbname={database['NAME']}",
            str(file),
        ]
        result = subprocess.run(command, env=client_environment(database), capture_output=True, text=True)
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed (exit {result.returncode}): {result.stderr.strip()}")
        where = f"{database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}"
        replaced = f", replacing {existing} tables" if existing else ""
        self.stdout.write(
            f"Restored {file} into database {database['NAME']} on {where}{replaced}: "
            f"{table_count(database)} tables now."
        )
        if media is not None:
            media_root.mkdir(parents=True, exist_ok=True)
            with tarfile.open(media) as archive:
                archive.extractall(media_root, filter="data")
                files = sum(1 for member in archive.getmembers() if member.isfile())
            self.stdout.write(f"Restored {files} uploaded files from {media} into {media_root}.")
