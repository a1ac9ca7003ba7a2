"""`manage.py registry_backup [--output DIR]`: a timestamped copy of the registry database and of its uploaded
files (MEDIA_ROOT: evidence attachments, import uploads); keeps the last few."""

import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

# The libpq environment variables that carry a Django connection's settings to pg_dump and pg_restore; the
# password goes this way rather than on the command line, where `ps` would show it.
LIBPQ_VARIABLES = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD", "NAME": "PGDATABASE"}


def client_environment(database: dict) -> dict:
    """The process environment for a PostgreSQL client program connecting to `database` (Django settings).

    PATH, locale and the like are inherited, but no PG* variable that could point the program elsewhere.
    """
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
    environment.update(
        {variable: str(database[setting]) for setting, variable in LIBPQ_VARIABLES.items() if database.get(setting)}
    )
    sslmode = database.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        environment["PGSSLMODE"] = sslmode
    return environment


def client_program(name: str) -> str:
    """The path of a PostgreSQL client program, or a clear refusal when it is not installed."""
    program = shutil.which(name)
    if program is None:
        raise CommandError(
            f"{name} is not on PATH: install the PostgreSQL client (Debian: apt install postgresql-client)."
        )
    return program


def _dump_postgresql(database: dict, target: Path) -> None:
    command = [client_program("pg_dump"), "--format=custom", "--no-password", f"--file={target}"]
    result = subprocess.run(command, env=client_environment(database), capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"pg_dump failed (exit {result.returncode}): {result.stderr.strip()}")


def _copy_sqlite(database: dict, target: Path) -> None:
    if not Path(database["NAME"]).is_file():
        raise CommandError(f"There is no SQLite database at {database['NAME']} (run migrate first).")
    # SQLite's online backup API copies a consistent snapshot even while the site writes (WAL mode).
    source = sqlite3.connect(database["NAME"])
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


MEDIA_SUFFIX = ".media.tar"


def media_archive_of(backup: Path) -> Path:
    """The archive of the uploaded files written with a database backup: same name, `.media.tar`."""
    return backup.with_name(backup.name.rsplit(".", 1)[0] + MEDIA_SUFFIX)


def _archive_media(media_root: Path, target: Path) -> int:
    """Every file under MEDIA_ROOT into the tar `target` (paths relative to it); how many files.

    Uncompressed: the files are PDFs, images and spreadsheets, compressed already. A missing MEDIA_ROOT (nothing
    uploaded yet) gives an empty archive, so that every database backup has its files' archive beside it.
    """
    count = 0
    with tarfile.open(target, "w") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    try:
                        archive.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
                    except OSError as error:
                        raise CommandError(
                            f"Cannot read the uploaded file {path} ({error.strerror}): no backup was written. "
                            "Give the backup's user read access to MEDIA_ROOT."
                        ) from error
                    count += 1
    return count


class Command(BaseCommand):
    help = (
        "Back up the registry database (pg_dump -Fc on PostgreSQL, restore with registry_restore; SQLite's backup "
        "API on SQLite) and the uploaded files of MEDIA_ROOT (a .media.tar beside it, restore with registry_restore "
        "--media). Keeps the newest BACKUP_KEEP backups of this database in the output folder."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="Folder for the backup files (default: var/backups in the project)."
        )

    def handle(self, *args, output=None, **options):
        keep = settings.BACKUP_KEEP
        if keep < 1:
            raise CommandError(f"BACKUP_KEEP must be at least 1 (it is {keep}).")
        connection = connections["default"]
        database = connection.settings_dict
        if connection.vendor == "postgresql":
            suffix, make_copy = ".dump", _dump_postgresql
        elif connection.vendor == "sqlite":
            suffix, make_copy = ".sqlite3", _copy_sqlite
        else:
            raise CommandError(f"Backups of a {connection.vendor} database are not supported.")

        folder = output or Path(settings.VAR_DIR) / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        prefix = f"registry-{Path(str(database['NAME'])).stem}-"
        target = folder / f"{prefix}{timezone.localtime():%Y%m%d-%H%M%S-%f}{suffix}"
        # Written under another name first, so that a failed copy is never taken for a backup, nor makes an
        # older good one be deleted.
        # The files after the database: a file uploaded in between is one no row of this backup names yet, while
        # the other order could miss the file of a row the dump holds.
        media = media_archive_of(target)
        partial, partial_media = (path.with_name(path.name + ".partial") for path in (target, media))
        try:
            make_copy(database, partial)
            files = _archive_media(Path(settings.MEDIA_ROOT), partial_media)
            partial_media.rename(media)
            partial.rename(target)
        finally:
            partial.unlink(missing_ok=True)
            partial_media.unlink(missing_ok=True)
            if not target.exists():
                media.unlink(missing_ok=True)

        backups = sorted(folder.glob(f"{prefix}[0-9]*-[0-9]*-[0-9]*{suffix}"))
        removed = backups[:-keep]
        for old in removed:
            old.unlink()
            media_archive_of(old).unlink(missing_ok=True)
        self.stdout.write(
            f"Backed up {connection.vendor} database {database['NAME']} to {target} ({target.stat().st_size} bytes)."
        )
        self.stdout.write(f"Uploaded files: {files} from {settings.MEDIA_ROOT} to {media}.")
        if removed:
            self.stdout.write(f"Removed {len(removed)} older backup(s): {', '.join(old.name for old in removed)}.")
        self.stdout.write(
            f"{len(backups) - len(removed)} backup(s) of this database kept in {folder} (BACKUP_KEEP={keep})."
        )
