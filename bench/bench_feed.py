"""Benchmark: shop-year rows through the data feed vs a plain COPY of the same rows into the target table.

Run with `DATABASE_URL=postgres://…/<db> .venv/bin/python bench/bench_feed.py [--rows 1000000] [--rounds 3]`
(never by `make test`; on SQLite the floor is one `executemany` in one transaction). The generated batch is
one CSV of `--rows` shop-year rows over villages of 100 shops each. Each round runs, each in a child process
of its own (so that its peak RSS is its own) and one after the other on the same database:

- **reference** (no floor, it writes elsewhere): `COPY … FROM STDIN (FORMAT csv)` of the CSV body into an
  unindexed table of the same columns, in one transaction;
- **floor** (BENCHMARKS.md: "COPY into the target table inside one transaction"): on an emptied
  PlatformShopYear, `COPY` of the same rows into PlatformShopYear itself, with its unique key, index, CHECK
  and FK constraints, from a CSV prepared before the clock starts with the village codes already resolved to
  ids, a batch record and the timestamps: the fastest plain way to the feed's end state;
- **feed, new rows**: the feed service (`feed_batch_post`, the code the API runs, inline: no worker) on an
  emptied PlatformShopYear table: every row checked, its village code resolved, COPY into staging, one upsert;
- **feed, same batch again**: the same body once more, all rows unchanged (the idempotent re-post).

Before it prints ratios the script asserts, after the last round's floor and again after its feed, that the
unindexed table and PlatformShopYear hold the same rows (count and an md5 over the rows in key order).
Results go to bench/results/feed.md.
"""

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taobao_site.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-feed.sqlite3'}")

COUNTY, PREFECTURE, PROVINCE = "371721", "371700", "370000"
SHOPS_PER_VILLAGE = 100
VILLAGES_PER_TOWNSHIP = 200
FLOOR_TABLE = "bench_feed_floor"
RESULTS = ROOT / "bench" / "results" / "feed.md"
YEAR = 2023
FEED_USER = "bench_feed"


def setup_django():
    import django

    django.setup()


def village_codes(rows: int) -> list[str]:
    count = (rows + SHOPS_PER_VILLAGE - 1) // SHOPS_PER_VILLAGE
    return [f"{COUNTY}{100 + number // VILLAGES_PER_TOWNSHIP:03d}{200 + number % VILLAGES_PER_TOWNSHIP:03d}"
            for number in range(count)]


def generate_csv(path: Path, rows: int) -> None:
    codes = village_codes(rows)
    with open(path, "w", encoding="utf-8") as out:
        out.write("platform,platform_shop_id,village_code,year,sales,orders_last_3_months,days_open,shop_name\n")
        for number in range(rows):
            out.write(f"taobao,S{number:08d},{codes[number // SHOPS_PER_VILLAGE]},{YEAR},{1000 + number % 900_000},"
                      f"{number % 60},{20 + number % 346},店铺{number}\n")


def prepare_database(rows: int) -> None:
    """Divisions and villages for the generated file (idempotent), the feed user, an empty floor table."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from villages.imports.bulk_writes import insert_rows
    from villages.models import DATA_FEEDS, Division, Village

    codes = village_codes(rows)
    townships = sorted({code[:9] for code in codes})
    with transaction.atomic():
        Division.objects.get_or_create(code=PROVINCE, defaults={"name": "山东省", "level": "province"})
        Division.objects.get_or_create(code=PREFECTURE, defaults={"name": "菏泽市", "level": "prefecture",
                                                                   "parent_id": PROVINCE})
        Division.objects.get_or_create(code=COUNTY, defaults={"name": "曹县", "level": "county",
                                                               "parent_id": PREFECTURE})
        existing = set(Division.objects.filter(parent_id=COUNTY).values_list("code", flat=True))
        Division.objects.bulk_create(
            Division(code=code, name=f"镇{code[-3:]}", level="township", parent_id=COUNTY)
            for code in townships if code not in existing)
        present = set(Village.objects.filter(code__in=codes).values_list("code", flat=True))
        insert_rows(Village, ["code", "name", "township", "committee_type", "households", "population"],
                    [(code, f"村{code}", code[:9], "village_committee", 800, 3000)
                     for code in codes if code not in present])
        user, _created = get_user_model().objects.get_or_create(username=FEED_USER)
        user.groups.add(Group.objects.get(name=DATA_FEEDS))
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
            cursor.execute(
                f"CREATE TABLE {FLOOR_TABLE} (platform varchar(16), platform_shop_id varchar(64), village_code "
                "varchar(12), year smallint, sales bigint, orders_last_3_months integer, days_open smallint, "
                "shop_name varchar(200))")


def _token():
    import datetime

    from villages.models import FeedToken
    from villages.services.feed import feed_token_issue

    token = FeedToken.objects.filter(user__username=FEED_USER, revoked_at__isnull=True).first()
    if token is None:
        from django.contrib.auth import get_user_model

        token, _secret = feed_token_issue(user=get_user_model().objects.get(username=FEED_USER), label="bench",
                                          expires_on=datetime.date.today() + datetime.timedelta(days=30))
    return token


def reset_feed() -> None:
    from django.db import connection, transaction

    from villages.models import FeedBatch, PlatformShopYear

    with transaction.atomic(), connection.cursor() as cursor:
        for model in (PlatformShopYear, FeedBatch):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def run_unindexed(path: Path) -> None:
    """COPY of the CSV body into an unindexed table of the same columns (SQLite: one executemany)."""
    from django.db import connection, transaction

    with transaction.atomic():
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        cursor.execute(f"DELETE FROM {FLOOR_TABLE}")
        if connection.vendor == "postgresql":
            with open(path, "rb") as body, cursor.copy(
                    f"COPY {FLOOR_TABLE} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                while chunk := body.read(1 << 20):
                    copy.write(chunk)
            return
        import csv

        with open(path, encoding="utf-8", newline="") as body:
            reader = csv.reader(body)
            next(reader)
            cursor.executemany(f"INSERT INTO {FLOOR_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", list(reader))


TARGET_COLUMNS = ("platform", "platform_shop_id", "year", "village_id", "shop_name", "sales",
                  "orders_last_3_months", "days_open", "batch_id", "created_at", "updated_at")


def prepare_floor(path: Path) -> Path:
    """The floor's input, untimed: the same rows as a CSV of PlatformShopYear's columns, village codes as ids.

    It names a new batch record (the row's last batch) and the time of writing, as the feed's rows do.
    """
    from django.utils import timezone

    from villages.models import FeedBatch, Village

    batch = FeedBatch.objects.create(token=_token(), posted_by=_token().user, kind=FeedBatch.Kind.SHOP_YEARS,
                                     status=FeedBatch.Status.APPLIED)
    now = timezone.now().isoformat()
    ids = dict(Village.objects.values_list("code", "pk"))
    import csv

    resolved = path.with_name(path.stem + "-resolved.csv")
    with open(path, encoding="utf-8", newline="") as body, open(resolved, "w", encoding="utf-8", newline="") as out:
        reader, writer = csv.reader(body), csv.writer(out)
        next(reader)
        for platform_name, shop_id, code, year, sales, orders, days, name in reader:
            writer.writerow((platform_name, shop_id, year, ids[code], name, sales, orders, days, batch.pk, now, now))
    return resolved


def run_floor(path: Path) -> None:
    """The floor: COPY of the resolved rows into PlatformShopYear itself (its indexes, constraints), one transaction.

    SQLite: one executemany in one transaction. `path` is the file `prepare_floor` wrote.
    """
    from django.db import connection, transaction

    table = "villages_platformshopyear"
    with transaction.atomic():
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        if connection.vendor == "postgresql":
            with open(path, "rb") as body, cursor.copy(
                    f"COPY {table} ({', '.join(TARGET_COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as copy:
                while chunk := body.read(1 << 20):
                    copy.write(chunk)
            return
        import csv

        with open(path, encoding="utf-8", newline="") as body:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(TARGET_COLUMNS)}) VALUES ({', '.join('?' * len(TARGET_COLUMNS))})",
                list(csv.reader(body)))


def run_feed(path: Path) -> dict:
    from django.conf import settings

    from villages.feed.rows import CSV
    from villages.models import FeedBatch
    from villages.services.feed import feed_batch_post

    settings.FEED_BACKGROUND_ROWS = 10**9  # inline: the benchmark measures the batch, not the queue
    with open(path, "rb") as body:
        batch = feed_batch_post(token=_token(), kind=FeedBatch.Kind.SHOP_YEARS, body=body, file_format=CSV)
    if batch.status != FeedBatch.Status.APPLIED:
        raise SystemExit(f"feed batch {batch.status}: {batch.message} {batch.errors[:3]}")
    return {"created": batch.created_count, "updated": batch.updated_count, "unchanged": batch.unchanged_count}


def checksums() -> tuple[tuple, tuple]:
    """(count, digest) of the floor table and of PlatformShopYear: the same columns, in key order."""
    from django.db import connection

    columns = ("platform", "platform_shop_id", "year", "sales", "orders_last_3_months", "days_open", "shop_name")
    queries = (
        f"SELECT {', '.join(columns)}, village_code FROM {FLOOR_TABLE} ORDER BY platform_shop_id",
        f"SELECT {', '.join('p.' + column for column in columns)}, v.code FROM villages_platformshopyear p "
        "JOIN villages_village v ON v.id = p.village_id ORDER BY p.platform_shop_id",
    )
    results = []
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(query)
            digest, count = hashlib.md5(usedforsecurity=False), 0
            while rows := cursor.fetchmany(10_000):
                for row in rows:
                    digest.update(repr(row).encode())
                count += len(rows)
            results.append((count, digest.hexdigest()[:16]))
    return tuple(results)


def child(variant: str, path: Path) -> None:
    setup_django()
    if variant in ("feed-new", "floor"):
        reset_feed()
    if variant == "floor":
        path = prepare_floor(path)
    started = time.perf_counter()
    outcome = {"floor": run_floor, "unindexed": run_unindexed}.get(variant, run_feed)(path)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "outcome": outcome}))


VARIANTS = ("unindexed", "floor", "feed-new", "feed-same")
LABELS = {"unindexed": "reference (no floor): COPY into an unindexed table of the same columns",
          "floor": "floor: COPY into PlatformShopYear itself (indexes, constraints; codes resolved), one transaction",
          "feed-new": "feed, new rows (check, COPY staging + upsert)",
          "feed-same": "feed, same batch again (all unchanged)"}


def run_child(variant: str, path: Path) -> dict:
    finished = subprocess.run([sys.executable, __file__, "--child", variant, "--file", str(path)],
                              capture_output=True, text=True, env=os.environ, check=False)
    if finished.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{finished.stderr[-3000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def machine() -> str:
    from django import get_version
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            import sqlite3

            database = f"SQLite {sqlite3.sqlite_version}"
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, Django {get_version()}, {database}, "
            f"{platform.platform()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--child", choices=VARIANTS)
    parser.add_argument("--file")
    options = parser.parse_args()
    if options.child:
        child(options.child, Path(options.file))
        return
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    path = ROOT / "var" / f"bench-feed-{options.rows}.csv"
    path.parent.mkdir(exist_ok=True)
    generate_csv(path, options.rows)
    prepare_database(options.rows)
    timings = {variant: [] for variant in VARIANTS}
    peaks, outcomes = {}, {}
    states = {}
    for round_number in range(options.rounds):
        for variant in VARIANTS:
            measured = run_child(variant, path)
            timings[variant].append(measured["seconds"])
            peaks[variant] = max(peaks.get(variant, 0), measured["peak_mb"])
            outcomes[variant] = measured["outcome"]
            if round_number == options.rounds - 1 and variant in ("floor", "feed-same"):
                states[variant] = checksums()
    if outcomes["feed-new"]["created"] != options.rows or outcomes["feed-same"]["unchanged"] != options.rows:
        raise SystemExit(f"unexpected counts: {outcomes}")
    # (unindexed table, PlatformShopYear) after the floor, and again after the feed: all four the same rows.
    floor_state = states["floor"][0]
    if len({*states["floor"], *states["feed-same"]}) != 1 or floor_state[0] != options.rows:
        raise SystemExit(f"different end states: {states}")
    floor = statistics.median(timings["floor"])
    lines = [
        "# Data feed: shop-year rows through the feed vs a COPY into the target table",
        "",
        f"Command: `DATABASE_URL={_shown_url()} .venv/bin/python bench/bench_feed.py --rows {options.rows} "
        f"--rounds {options.rounds}`",
        "",
        f"Machine: {machine()}",
        "",
        f"{options.rows:,} rows, {options.rounds} rounds, each variant in a child process; the end states agree "
        f"({floor_state[0]:,} rows, checksum {floor_state[1]}).",
        "",
        "| variant | median s | spread s | rows/s | ratio to floor | peak MB |",
        "|---|---|---|---|---|---|",
    ]
    for variant in VARIANTS:
        median = statistics.median(timings[variant])
        spread = max(timings[variant]) - min(timings[variant])
        lines.append(f"| {LABELS[variant]} | {median:.2f} | {spread:.2f} | {options.rows / median:,.0f} | "
                     f"{median / floor:.2f}× | {peaks[variant]:.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not options.no_write:
        RESULTS.write_text(text, encoding="utf-8")


def _shown_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url.split("@")[-1].join(("postgres://…@", "")) if url.startswith("postgres") else url


if __name__ == "__main__":
    main()
