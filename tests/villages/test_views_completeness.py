"""The completeness page: drill-down, the missing list, export, tracking, per role, and its constant query count."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.completeness_data import YEAR, build_bulk_villages, build_season
from tests.conftest import make_user
from villages.models import ReportingTrack

PAGE = reverse("villages:completeness")


@pytest.fixture
def season(tree):
    return build_season(tree)


def page(client, **query):
    return client.get(PAGE, {"year": YEAR, **query})


def test_a_provincial_reviewer_sees_the_prefectures_with_links_down(client_for, season):
    response = page(client_for(season.users["reviewer"]), province="410000")
    assert response.status_code == 200
    rows = {row.code: row.counts.expected for row in response.context["season"].children}
    assert rows == {"410100": 7, "410200": 2}
    body = response.content.decode()
    assert f"?year={YEAR}&amp;prefecture=410100" in body
    assert "郑州市" in body and "开封市" in body
    # The missing list: last year's Taobao villages first.
    missing = [village.name for village in response.context["page"].object_list]
    assert missing == ["一村", "十一村", "八村", "五村"]


def test_the_county_page_lists_its_villages_with_status_and_reason(client_for, season):
    response = page(client_for(season.users["reviewer"]), county="410102")
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("一村", "二村", "三村", "五村", "八村"):
        assert name in body
    assert "四村" not in body and "六村" not in body
    assert "certified last year" in body and "tracked by the county" in body
    # Reviewers read the county's completeness but do not mark its villages.
    assert "Mark as tracked" not in body


def test_a_page_without_a_year_opens_the_latest_season(client_for, season):
    response = client_for(season.users["reviewer"]).get(PAGE, {"county": "410103"})
    assert response.status_code == 200
    assert response.context["season"].year == YEAR
    assert response.context["season"].totals.expected == 2


@pytest.mark.parametrize("query", [
    {"year": "abc"}, {"year": "1999"}, {"year": "2999"}, {"year": YEAR, "province": "41"},
    {"year": YEAR, "province": "410000", "county": "410102"}, {"year": YEAR, "county": "999999"},
    {"year": YEAR, "page": "0"},
])
def test_bad_input_is_a_400_with_the_reason(client_for, season, query):
    response = client_for(season.users["reviewer"]).get(PAGE, query)
    assert response.status_code == 400
    assert response.context["form"].errors


def test_an_area_outside_the_callers_jurisdiction_is_not_found(client_for, season):
    assert page(client_for(season.users["official_a"]), county="410103").status_code == 404
    assert page(client_for(season.users["official_a"]), prefecture="410100").status_code == 404
    assert page(client_for(season.users["other_reviewer"]), province="410000").status_code == 404
    assert page(client_for(season.users["other_official"]), county="410102").status_code == 404


def test_a_county_official_starts_at_their_county(client_for, season):
    response = page(client_for(season.users["official_a"]))
    assert [row.code for row in response.context["season"].children] == ["410102"]
    assert response.context["season"].totals.expected == 5


def test_anonymous_visitors_log_in_and_users_without_a_role_are_refused(client, client_for, season):
    assert page(client).status_code == 302
    assert page(client_for(make_user("visitor"))).status_code == 403


def test_the_export_lists_every_expected_village_with_status_and_reasons(client_for, season):
    client = client_for(season.users["reviewer"])
    response = client.get(reverse("villages:completeness_export_csv"), {"year": YEAR, "prefecture": "410100"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Village code", "Village", "Township", "Status"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"一村", "二村", "三村", "五村", "八村", "九村", "十村"}
    assert by_name["一村"][3] == "missing" and by_name["一村"][5] == "yes"
    assert by_name["二村"][3] == "approved" and by_name["二村"][4] == "yes"
    assert [row[1] for row in rows[1:4]] == ["一村", "二村", "十村"]  # last year's Taobao villages first
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(reverse("villages:completeness_export_xlsx"),
                                       {"year": YEAR, "county": "410103"}).streaming_content)))
    assert [row[1] for row in workbook.active.iter_rows(min_row=2, values_only=True)] == ["十村", "九村"]


def test_an_export_of_someone_elses_area_is_not_found_and_bad_input_goes_back_with_a_message(client_for, season):
    client = client_for(season.users["official_a"])
    url = reverse("villages:completeness_export_csv")
    assert client.get(url, {"year": YEAR, "county": "410103"}).status_code == 404
    response = client.get(url, {"year": "x"}, follow=True)
    assert response.status_code == 200
    assert "Enter a whole number." in response.content.decode()


def test_a_county_official_marks_and_unmarks_a_village_as_tracked(client_for, season):
    client = client_for(season.users["official_a"])
    six = season.villages["v6"]
    response = client.post(reverse("villages:reporting_track"), {"village": six.code, "year": YEAR, "action": "mark"})
    assert response.status_code == 302
    assert ReportingTrack.objects.filter(village=six, year=YEAR, marked_by=season.users["official_a"]).exists()
    county_page = page(client, county="410102")
    assert "六村" in county_page.content.decode() and "Mark as tracked" in county_page.content.decode()
    again = client.post(reverse("villages:reporting_track"), {"village": six.code, "year": YEAR, "action": "mark"},
                        follow=True)
    assert "already tracked" in again.content.decode()
    client.post(reverse("villages:reporting_track"), {"village": six.code, "year": YEAR, "action": "unmark"})
    assert not ReportingTrack.objects.filter(village=six, year=YEAR).exists()


def test_only_the_villages_own_county_may_track_it(client_for, season):
    url = reverse("villages:reporting_track")
    six = season.villages["v6"]
    data = {"village": six.code, "year": YEAR, "action": "mark"}
    assert client_for(season.users["official_b"]).post(url, data).status_code == 404
    assert client_for(season.users["reviewer"]).post(url, data).status_code == 403
    response = client_for(season.users["official_a"]).post(url, {**data, "year": "2999"}, follow=True)
    assert "between 2009" in response.content.decode()
    assert not ReportingTrack.objects.filter(village=six).exists()


# Session, user, the groups and assignments (one read), the area code's check, the area and its parents, the
# window, the child divisions (not on a county's page), the grouped counts (or the county's villages), the missing
# count and page.
QUERIES = {"province": 10, "county": 9}


@pytest.mark.parametrize("villages", [10, 1000])
@pytest.mark.parametrize("level, code", [("province", "410000"), ("county", "410102")])
def test_the_page_runs_a_constant_number_of_queries(client_for, season, django_assert_num_queries, villages,
                                                    level, code):
    build_bulk_villages(season, villages)
    client = client_for(season.users["reviewer"])
    with django_assert_num_queries(QUERIES[level]):
        response = page(client, **{level: code})
    assert response.status_code == 200
    assert response.context["season"].totals.expected == (9 if level == "province" else 5) + villages


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("user, query", [
    ("official_a", {"county": "410102"}), ("reviewer", {"province": "410000"}), ("reviewer", {"year": "2019"}),
    ("administrator", {}),
])
def test_every_completeness_page_speaks_the_readers_language(client_for, season, language, user, query):
    from tests.test_page_languages import data_texts, shown_text, untranslated

    response = client_for(season.users[user]).get(PAGE, {"year": YEAR, **query}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert untranslated(shown_text(response.content.decode(), data_texts()), language) == []
