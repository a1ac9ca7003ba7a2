"""Benchmark: rescoring one year of villages three ways — the engine, a naive ORM loop, one raw SQL statement.

Follows shared/BENCHMARKS.md: the three variants run in one process, on the same generated database (a
fresh SQLite file, or PostgreSQL when DATABASE_URL is given), one after the other, for several rounds; each
variant starts from the same state (no assessments) and must end in the same one (row count, qualified
count, status changes, score sum) before any ratio is printed.

    .venv/bin/python bench/bench_rescore.py [--villages 100000] [--rounds 7] [--naive-rounds 3]
        [--database-url postgres://…]

Without --database-url it measures on SQLite, then (in a second process) on PostgreSQL if DATABASE_URL names one.

The naive loop is the per-village way done decently: reports read with select_related in one query, one
transaction, and per village the approval's own write (`report_assessment_record`: the previous year's
verdict, then `update_or_create`). The floor is one INSERT … SELECT … ON CONFLICT statement that
computes the same inputs, checks, qualification, score and status change in SQL.
"""

import argparse
import atexit
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2023
VILLAGES_PER_TOWNSHIP = 100
TOWNSHIPS_PER_COUNTY = 20


def setup_django(database_url: str | None) -> str:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taobao_site.settings.test")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
        label = "postgresql"
    else:
        path = ROOT / "var" / "bench" / "rescore.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        label = "sqlite"
    import django

    django.setup()
    from django.core.management import call_command

    if database_url:
        from django.db import connection

        # A throwaway test_<name> database, never the one DATABASE_URL names; dropped at the end of the run.
        original_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        atexit.register(connection.creation.destroy_test_db, original_name, verbosity=0)
    else:
        call_command("migrate", verbosity=0)
    return label


def build_data(villages: int, seed: int = 20231) -> None:
    """Divisions, `villages` villages (1 in 10 a neighbourhood committee) and one approved report each."""
    import random

    from django.db import transaction

    from villages.models import AnnualReport, Assessment, Division, TaobaoTown, Village, VillageCluster

    random_numbers = random.Random(seed)
    with transaction.atomic():
        VillageCluster.objects.all().delete()
        TaobaoTown.objects.all().delete()
        Assessment.objects.all().delete()
        AnnualReport.objects.all().delete()
        Village.objects.all().delete()
        Division.objects.filter(level="township").delete()
        Division.objects.filter(level="county").delete()
        Division.objects.filter(level="prefecture").delete()
        Division.objects.all().delete()
        province = Division.objects.create(code="370000", name="山东省", level="province")
        townships_needed = -(-villages // VILLAGES_PER_TOWNSHIP)
        counties_needed = -(-townships_needed // TOWNSHIPS_PER_COUNTY)
        prefectures = Division.objects.bulk_create(
            [
                Division(code=f"37{p + 1:02d}00", name=f"市{p}", level="prefecture", parent=province)
                for p in range(-(-counties_needed // 90))
            ]
        )
        counties = Division.objects.bulk_create(
            [
                Division(
                    code=f"{prefectures[c // 90].code[:4]}{c % 90 + 1:02d}",
                    name=f"县{c}",
                    level="county",
                    parent=prefectures[c // 90],
                )
                for c in range(counties_needed)
            ]
        )
        townships = Division.objects.bulk_create(
            [
                Division(
                    code=f"{counties[t // TOWNSHIPS_PER_COUNTY].code}{100 + t % TOWNSHIPS_PER_COUNTY:03d}",
                    name=f"镇{t}",
                    level="township",
                    parent=counties[t // TOWNSHIPS_PER_COUNTY],
                )
                for t in range(townships_needed)
            ]
        )
        village_rows = []
        for v in range(villages):
            township = townships[v // VILLAGES_PER_TOWNSHIP]
            position = v % VILLAGES_PER_TOWNSHIP
            unit = 1 + position if position < 10 else 200 + position
            located = random_numbers.random() < 0.5
            village_rows.append(
                Village(
                    code=f"{township.code}{unit:03d}",
                    name=f"村{v}",
                    township=township,
                    committee_type="neighbourhood_committee" if unit < 200 else "village_committee",
                    households=random_numbers.randint(200, 3000),
                    latitude=round(30 + random_numbers.random() * 10, 6) if located else None,
                    longitude=round(110 + random_numbers.random() * 10, 6) if located else None,
                )
            )
        created = Village.objects.bulk_create(village_rows, batch_size=2000)
        AnnualReport.objects.bulk_create(
            [
                AnnualReport(
                    village=village,
                    year=YEAR,
                    ecommerce_sales=random_numbers.randint(2_000_000, 16_000_000),
                    active_shops=random_numbers.randint(20, 180),
                    households=village.households,
                    status="approved",
                )
                for village in created
            ],
            batch_size=2000,
        )


def reset_assessments() -> None:
    """No assessments, towns or clusters; on PostgreSQL the deleted rows are vacuumed away too.

    Without the VACUUM every round would leave 100,000 dead assessment rows behind, and each variant would
    meet a more bloated table and index than the one before it (autovacuum does not keep up).
    """
    from django.db import connection, transaction

    from villages.models import Assessment, TaobaoTown, VillageCluster

    with transaction.atomic():
        VillageCluster.objects.all().delete()
        TaobaoTown.objects.all().delete()
        Assessment.objects.all().delete()
    if connection.vendor == "postgresql":
        tables = [VillageCluster.villages.through, VillageCluster, TaobaoTown, Assessment]
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE " + ", ".join(model._meta.db_table for model in tables))


def end_state() -> tuple:
    from django.db.models import Count, Q, Sum

    from villages.models import Assessment

    totals = Assessment.objects.aggregate(
        rows=Count("id"),
        qualified=Count("id", filter=Q(qualified=True)),
        new=Count("id", filter=Q(status_change="new")),
        score=Sum("score"),
    )
    return totals["rows"], totals["qualified"], totals["new"], round(float(totals["score"] or 0), 1)


def same_state(a: tuple, b: tuple) -> bool:
    # Scores are rounded to tenths; SQL float rounding may differ from the exact rule by one tenth at a tie.
    return a[:3] == b[:3] and abs(a[3] - b[3]) <= 0.1 * max(1, a[0]) * 0.01


def stored_rows() -> list[tuple]:
    """Every assessment as (village, inputs, checks, status change), the JSON as the database's normal text.

    This is the checksum of the rows that BENCHMARKS.md asks for: every variant must write the same.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        inputs, checks = "inputs::text", "checks::text"
    else:
        inputs, checks = "json(inputs)", "json(checks)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT village_id, {inputs}, {checks}, status_change FROM villages_assessment ORDER BY village_id"
        )
        return cursor.fetchall()


def _same_values(a, b) -> bool:
    """Equal JSON values, except that two floats may differ by one in the second decimal (a rounding tie)."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, int | float) and isinstance(b, int | float) and abs(a - b) <= 0.0101
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same_values(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same_values, a, b))
    return a == b


def differing_rows(rows: list[tuple], reference: list[tuple]) -> tuple[int, int]:
    """(rows that differ, rows that differ only by a rounding tie in a percentage) from the reference rows."""
    import json

    if len(rows) != len(reference):
        return abs(len(rows) - len(reference)) + min(len(rows), len(reference)), 0
    differing = ties = 0
    for row, expected in zip(rows, reference, strict=True):
        if row == expected:
            continue
        (village, inputs, checks, status), (village_e, inputs_e, checks_e, status_e) = row, expected
        if (village, status) != (village_e, status_e) or json.loads(inputs) != json.loads(inputs_e):
            differing += 1
            continue
        checks, checks_e = json.loads(checks), json.loads(checks_e)
        if checks == checks_e:
            continue
        if _same_values(checks, checks_e):
            ties += 1
        else:
            differing += 1
    return differing, ties


DERIVATIVE_SECONDS: list[float] = []


def rescore_with_engine() -> None:
    """The engine as `manage.py rescore` runs it; the part spent writing towns and clusters is noted aside."""
    from villages.services import certification

    spent = [0.0]
    originals = {name: getattr(certification, name) for name in ("taobao_towns_replace", "clusters_refresh")}

    def timed(function):
        def call(**kwargs):
            started = time.perf_counter()
            try:
                return function(**kwargs)
            finally:
                spent[0] += time.perf_counter() - started

        return call

    for name, function in originals.items():
        setattr(certification, name, timed(function))
    try:
        certification.assessments_rescore(years=[YEAR])
    finally:
        for name, function in originals.items():
            setattr(certification, name, function)
    DERIVATIVE_SECONDS.append(spent[0])


def rescore_naively() -> None:
    """One ORM round trip (or two) per village: the approval's own write, looped over the reports."""
    from django.db import transaction

    from villages.models import AnnualReport
    from villages.selectors.certification import criteria_set_for_year
    from villages.services.certification import report_assessment_record

    criteria_set = criteria_set_for_year(YEAR)
    with transaction.atomic():
        for report in AnnualReport.objects.filter(year=YEAR, status="approved").select_related("village"):
            report_assessment_record(report=report, criteria_set=criteria_set)


def floor_sql(vendor: str, criteria_set) -> str:
    """The INSERT … SELECT … ON CONFLICT that computes what the engine computes, written for `vendor`."""
    p, q = criteria_set.village_min_household_share.as_integer_ratio()
    sales, shops = int(criteria_set.village_min_sales), int(criteria_set.village_min_active_shops)
    types = "(" + ", ".join(f"'{t}'" for t in criteria_set.eligible_committee_types) + ")"
    if vendor == "postgresql":
        json_object, json_array, greatest = "json_build_object", "json_build_array", "GREATEST"

        def boolean(condition):
            return f"({condition})"
    else:
        json_object, json_array, greatest = "json_object", "json_array", "MAX"

        def boolean(condition):
            return f"json(CASE WHEN {condition} THEN 'true' ELSE 'false' END)"

    location = f"v.committee_type IN {types}"
    sales_ok = f"r.ecommerce_sales >= {sales}"
    by_share = f"(r.households > 0 AND r.active_shops * {q} >= {p} * r.households)"
    shops_ok = f"(r.active_shops >= {shops} OR {by_share})"
    share_required = round(100 * p / q, 2) if q else 0.0
    qualified = f"({location} AND {sales_ok} AND {shops_ok})"
    count_ratio = f"r.active_shops * 1.0 / {shops}"
    share_ratio = f"r.active_shops * {q} * 1.0 / ({p} * r.households)"
    required_types = ", ".join(f"'{t}'" for t in criteria_set.eligible_committee_types)
    # The previous year's assessments are read once, before the insert: a plain self-join would let the
    # planner (PostgreSQL, on a freshly vacuumed empty table) rescan the growing table for every row inserted.
    return f"""
WITH prev AS MATERIALIZED (
    SELECT village_id, qualified FROM villages_assessment WHERE year = {YEAR - 1}
)
INSERT INTO villages_assessment
    (village_id, year, criteria_set_id, report_id, inputs, checks, qualified, score, status_change,
     assessed_at, created_at, updated_at)
SELECT r.village_id, r.year, {criteria_set.pk}, r.id,
    {json_object}('committee_type', v.committee_type, 'ecommerce_sales', r.ecommerce_sales,
                  'active_shops', r.active_shops, 'households', r.households),
    {json_array}(
        {json_object}('key', 'location', 'passed', {boolean(location)}, 'actual', v.committee_type,
                      'required', {json_array}({required_types}), 'gap', NULL),
        {json_object}('key', 'sales', 'passed', {boolean(sales_ok)}, 'actual', r.ecommerce_sales,
                      'required', {sales},
                      'gap', CASE WHEN {sales_ok} THEN 0 ELSE {sales} - r.ecommerce_sales END),
        {json_object}('key', 'shops', 'passed', {boolean(shops_ok)}, 'actual', r.active_shops,
                      'required', {shops},
                      'gap', CASE WHEN {shops_ok} THEN 0 ELSE LEAST_GAP END,
                      'route', CASE WHEN r.active_shops >= {shops} THEN 'count' WHEN {by_share} THEN 'share' END,
                      'share_actual', CASE WHEN r.households > 0
                                           THEN ROUND(100.0 * r.active_shops / r.households, 2) ELSE 0.0 END,
                      'share_required', {share_required!r},
                      'share_gap', CASE WHEN {shops_ok} OR r.households <= 0 THEN 0 ELSE ROUND(
                          100.0 * {greatest}(0, {p} * r.households - r.active_shops * {q}) / ({q} * r.households), 2)
                                   END,
                      'shops_for_share', CASE WHEN r.households > 0 THEN ({p} * r.households + {q} - 1) / {q} END)
    ),
    {qualified},
    CASE WHEN {location} THEN ROUND(
        50.0 * (CASE WHEN {sales_ok} THEN 1.0 ELSE r.ecommerce_sales * 1.0 / {sales} END)
        + 50.0 * (CASE WHEN {shops_ok} THEN 1.0
                       WHEN {count_ratio} >= {share_ratio} THEN {count_ratio}
                       ELSE {share_ratio} END) + 0.0000001, 1)
    ELSE 0 END,
    CASE WHEN {qualified} THEN (CASE WHEN prev.qualified THEN 'retained' ELSE 'new' END)
         ELSE (CASE WHEN prev.qualified THEN 'lost' ELSE 'none' END) END,
    CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
FROM villages_annualreport r
JOIN villages_village v ON v.id = r.village_id
LEFT JOIN prev ON prev.village_id = r.village_id
WHERE r.status = 'approved' AND r.year = {YEAR}
ON CONFLICT (village_id, year) DO UPDATE SET
    criteria_set_id = excluded.criteria_set_id, report_id = excluded.report_id, inputs = excluded.inputs,
    checks = excluded.checks, qualified = excluded.qualified, score = excluded.score,
    status_change = excluded.status_change, assessed_at = excluded.assessed_at, updated_at = excluded.updated_at
""".replace(
        "LEAST_GAP",
        f"(CASE WHEN {shops} - r.active_shops < ({p} * r.households + {q} - 1) / {q} - r.active_shops"
        f" THEN {shops} - r.active_shops ELSE ({p} * r.households + {q} - 1) / {q} - r.active_shops END)",
    )


def rescore_with_raw_sql() -> None:
    """The floor: the whole comparison in one INSERT … SELECT … ON CONFLICT statement."""
    from django.db import connection, transaction

    from villages.selectors.certification import criteria_set_for_year

    sql = floor_sql(connection.vendor, criteria_set_for_year(YEAR))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_reset() -> float | None:
    """Start a new peak resident set (Linux ≥ 4.0: 5 into clear_refs); the resident MB now, None if unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _status_mb("VmRSS")


def peak_mb() -> float:
    """The peak resident set since the last `peak_reset` (VmHWM), else the process's peak so far."""
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, Django {django.get_version()}, "
        f"{connection.vendor} {version}"
    )


NAIVE = "naive ORM loop"


def run(
    villages: int, rounds: int, database_url: str | None = None, write: bool = True, naive_rounds: int = 3
) -> dict:
    label = setup_django(database_url)
    started = time.perf_counter()
    build_data(villages)
    print(f"built {villages} villages with reports for {YEAR} on {label} in {time.perf_counter() - started:.1f} s")

    variants = {
        "engine (assessments_rescore)": rescore_with_engine,
        NAIVE: rescore_naively,
        "raw SQL (floor)": rescore_with_raw_sql,
    }
    timings: dict[str, list[float]] = {name: [] for name in variants}
    states: dict[str, tuple] = {}
    memory: dict[str, float] = {name: 0.0 for name in variants}
    growth: dict[str, float] = {name: 0.0 for name in variants}
    written: dict[str, list[tuple]] = {}
    ties: dict[str, int] = {}
    own_peaks = True
    for round_number in range(rounds):
        # The naive loop takes minutes a round: it may run fewer rounds than the two fast variants.
        running = {name: variant for name, variant in variants.items() if name != NAIVE or round_number < naive_rounds}
        for name, variant in running.items():
            reset_assessments()
            resident = peak_reset()
            own_peaks = own_peaks and resident is not None
            started = time.perf_counter()
            variant()
            timings[name].append(time.perf_counter() - started)
            peak = peak_mb()
            memory[name] = max(memory[name], peak)
            growth[name] = max(growth[name], peak - (resident or peak))
            states[name] = end_state()
            written[name] = stored_rows()
        # Compared every round, against the floor of the same round; then let go (100,000 rows each).
        for name in running:
            differing, ties[name] = differing_rows(written[name], written["raw SQL (floor)"])
            if differing or not same_state(states[name], states["raw SQL (floor)"]):
                raise SystemExit(
                    f"{name} ended in {states[name]} with {differing} rows unlike the floor's "
                    f"({states['raw SQL (floor)']}): not the same work"
                )
        written.clear()

    reference = states["raw SQL (floor)"]

    floor = statistics.median(timings["raw SQL (floor)"])
    rows = []
    for name, values in timings.items():
        median = statistics.median(values)
        rows.append(
            (name, median, min(values), max(values), villages / median, median / floor, memory[name], growth[name])
        )
    engine = statistics.median(timings["engine (assessments_rescore)"])
    naive_ratio = statistics.median(timings[NAIVE]) / engine
    derivatives = statistics.median(DERIVATIVE_SECONDS)

    lines = [
        f"# Rescore benchmark: {villages:,} villages, one year, {rounds} rounds ({label})",
        "",
        f"The engine and the floor ran {rounds} rounds, the naive loop the first {min(rounds, naive_rounds)} of them "
        "(it takes minutes a round); in each round the variants ran one after the other.",
        "",
        f"Machine: {machine()}. End state checked equal: {reference[0]:,} assessments, "
        f"{reference[1]:,} qualified.",
        "",
        "| variant | median s | min s | max s | villages/s | × floor | peak MB | + MB while it ran |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {name} | {median:.3f} | {low:.3f} | {high:.3f} | {rate:,.0f} | {ratio:.2f} | {mb:.0f} | "
            + (f"{extra:.0f} |" if own_peaks else "– |")
            for name, median, low, high, rate, ratio, mb, extra in rows
        ),
        "",
        f"Engine vs naive loop: {naive_ratio:.1f}× faster.",
        f"Engine vs raw SQL floor: {engine / floor:.2f}× the floor's time.",
        "",
        "The engine time includes rebuilding the year's Taobao towns and clusters, which the other two skip: "
        f"{derivatives:.3f} s of it (median), so the assessments alone took about "
        f"{(engine - derivatives) / floor:.2f}× the floor's time.",
        "All three write the same rows: after every round each variant's assessments (inputs, checks with their "
        "gaps and share details, status change; qualified count and score sum) were compared with the floor's "
        "row by row. Rows whose percentages differ from the floor's by a rounding tie in the second decimal "
        "(SQL rounds half away from zero, Python's round() rounds the binary float): "
        + ", ".join(f"{name} {count:,}" for name, count in ties.items())
        + ".",
        (
            "Peak MB is the process's peak resident set while the variant ran (reset before each variant); it "
            "includes what the process already held (Django, leftovers of the data build, the rows kept for the "
            "comparison). + MB is how far the variant itself raised it above the resident set it started from "
            "(the largest of its rounds)."
            if own_peaks
            else "Peak MB is the process's peak resident set so far (cumulative across variants in one process)."
        ),
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if write:
        results = ROOT / "bench" / "results"
        results.mkdir(parents=True, exist_ok=True)
        suffix = "" if label == "sqlite" else f"-{label}"
        (results / f"rescore{suffix}.md").write_text(report)
    return {"engine_vs_naive": naive_ratio, "engine_vs_floor": engine / floor, "state": reference}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7, help="Rounds of the engine and the floor.")
    parser.add_argument(
        "--database-url",
        default=None,
        help="Measure on this PostgreSQL server only (in a throwaway test_ database); empty for SQLite only. "
        "By default SQLite, then PostgreSQL too when DATABASE_URL names one.",
    )
    parser.add_argument(
        "--naive-rounds", type=int, default=3, help="Rounds of the naive loop (minutes each); at most --rounds."
    )
    parser.add_argument("--no-write", action="store_true", help="Do not write bench/results/rescore*.md.")
    arguments = parser.parse_args(argv)
    if arguments.rounds < 1 or arguments.naive_rounds < 1:
        parser.error("--rounds and --naive-rounds must be at least 1")
    if arguments.database_url is not None:
        database_url = arguments.database_url if arguments.database_url.startswith("postgres") else None
        run(arguments.villages, arguments.rounds, database_url, not arguments.no_write, arguments.naive_rounds)
        return
    postgres_url = os.environ.get("DATABASE_URL", "")
    run(arguments.villages, arguments.rounds, None, not arguments.no_write, arguments.naive_rounds)
    if postgres_url.startswith("postgres"):
        import subprocess

        command = [sys.executable, __file__, "--villages", str(arguments.villages), "--rounds", str(arguments.rounds)]
        command += ["--naive-rounds", str(arguments.naive_rounds)]
        command += ["--database-url", postgres_url] + (["--no-write"] if arguments.no_write else [])
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
