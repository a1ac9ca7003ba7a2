"""`load_divisions`: the full MCA list, loaded in bulk next to divisions that already exist, and idempotent."""

import pytest
from django.db.models import Count
from django.utils import translation

from tests.factories import DivisionTreeFactory
from tests.villages.conftest import delete_all_divisions, run_load_divisions
from villages.models import Division


@pytest.fixture(scope="module")
def load_runs(django_db_setup, django_db_blocker):
    """A database holding a small test tree (one name differs from the MCA's), loaded twice."""
    with django_db_blocker.unblock(), translation.override("en"):
        DivisionTreeFactory.build_tree()
        first = run_load_divisions()
        second = run_load_divisions()
    yield first, second
    with django_db_blocker.unblock():
        delete_all_divisions()


@pytest.mark.django_db
def test_every_level_has_the_official_count(load_runs):
    counts = dict(Division.objects.values_list("level").annotate(n=Count("code")))

    assert counts == {"province": 33, "prefecture": 333, "county": 2845, "township": 38723}
    assert Division.objects.count() == 41_934


@pytest.mark.django_db
def test_divisions_hang_on_their_parents(load_runs):
    daji = Division.objects.select_related("parent__parent__parent").get(code="371721121")

    assert (daji.name, daji.level) == ("大集镇", "township")
    assert [daji.parent.code, daji.parent.parent.code, daji.parent.parent.parent.code] == [
        "371721",
        "371700",
        "370000",
    ]
    assert not Division.objects.filter(level="province", parent__isnull=False).exists()
    assert not Division.objects.exclude(level="province").filter(parent__isnull=True).exists()


@pytest.mark.django_db
def test_divisions_already_present_are_kept_and_corrected(load_runs):
    first, _second = load_runs

    # The test tree named 371721001 曹城街道; the MCA list calls it 青菏街道.
    assert Division.objects.get(code="371721001").name == "青菏街道"
    assert "41923 created, 1 updated, 10 already up to date." in first


@pytest.mark.django_db
def test_a_second_run_changes_nothing_and_prints_the_counts(load_runs):
    _first, second = load_runs

    assert "33 provinces, 333 prefectures, 2845 counties, 38723 townships (41934)" in second
    assert "0 created, 0 updated, 41934 already up to date." in second


@pytest.mark.django_db
def test_a_changed_name_is_restored_from_the_official_list(load_runs):
    Division.objects.filter(code="371721121").update(name="改名镇")

    output = run_load_divisions()

    assert Division.objects.get(code="371721121").name == "大集镇"
    assert "0 created, 1 updated" in output


@pytest.mark.django_db
def test_divisions_outside_the_official_list_are_kept_and_reported(load_runs):
    Division.objects.create(code="371721999", name="试验区", level="township", parent_id="371721")

    output = run_load_divisions()

    assert Division.objects.filter(code="371721999").exists()
    assert "1 divisions in the database are not in the official list" in output
