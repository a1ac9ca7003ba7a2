"""A tiny run of the import benchmark's variants, so that the benchmark cannot rot."""

import pytest

from bench import bench_import


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
