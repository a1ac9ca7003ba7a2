"""Tiny runs of the benchmarks (the import variants, the national one on PostgreSQL), so that they cannot rot."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench import bench_import

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_benchmark_variants_reach_the_same_end_state(tmp_path):
    path = tmp_path / "villages.csv"
    bench_import.generate_csv(path, 250)
    bench_import.prepare_database(250)
    states = set()
    for run in bench_import.VARIANTS.values():
        bench_import.reset_villages()
        run(path)
        states.add(bench_import.checksum())
    assert len(states) == 1
    assert states.pop()[0] == 250


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_import_villages_and_its_floor_reach_the_same_end_state(tmp_path):
    path = tmp_path / "villages-nbs.csv"
    bench_import.generate_nbs_csv(path, 250)
    bench_import.prepare_database(250)
    states = set()
    for run in bench_import.NBS_VARIANTS.values():
        bench_import.reset_villages()
        run(path)
        states.add(bench_import.nbs_checksum())
    assert len(states) == 1
    assert states.pop()[0] == 250


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="The national benchmark runs on PostgreSQL only.")
def test_national_benchmark_smoke_size_serves_every_page_with_the_rows_of_its_floor():
    """300 villages in bench_national_300 (built once, reused), one round of two requests per page.

    The script exits non-zero when a real page and its floor return different rows, when an approval fails or
    when gunicorn does not start, so a zero exit with every table printed is the proof.
    """
    command = [sys.executable, "bench/bench_national.py", "--villages", "300", "--rounds", "1", "--requests", "2"]
    command += ["--wrk-seconds", "2", "--no-write"]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=os.environ)
    assert finished.returncode == 0, finished.stderr[-3000:]
    for heading in ("## API", "## web", "## admin", "## One approval", "## Throughput"):
        assert heading in finished.stdout
    assert "| villages page 1 (token) |" in finished.stdout
    assert "| approve a submitted report (reviewer, API) |" in finished.stdout
