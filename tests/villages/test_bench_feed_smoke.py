"""A tiny run of the feed benchmark's variants, so that it cannot rot: floor, unindexed copy and feed end alike."""

import pytest

from bench import bench_feed


@pytest.mark.django_db
def test_the_feed_and_its_copy_floor_reach_the_same_end_state(tmp_path):
    path = tmp_path / "shop-years.csv"
    bench_feed.generate_csv(path, 250)
    bench_feed.prepare_database(250)
    bench_feed.run_unindexed(path)
    bench_feed.reset_feed()
    bench_feed.run_floor(bench_feed.prepare_floor(path))
    floor_state, target_state = bench_feed.checksums()
    assert floor_state == target_state and floor_state[0] == 250
    bench_feed.reset_feed()
    assert bench_feed.run_feed(path) == {"created": 250, "updated": 0, "unchanged": 0}
    assert bench_feed.run_feed(path) == {"created": 0, "updated": 0, "unchanged": 250}
    floor_state, feed_state = bench_feed.checksums()
    assert floor_state == feed_state and floor_state[0] == 250
