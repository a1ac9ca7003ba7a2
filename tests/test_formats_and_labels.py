"""Formats and labels in the reader's language (issue 19, item 6): years, dates, services, criteria, admin labels."""

import datetime

import pytest
from django.apps import apps
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from rural_services.models import ServiceKind
from tests.factories import AnnualReportFactory, AssessmentFactory, ShopYearFactory, VillageFactory
from villages.models import CriteriaSet


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_one_date_and_time_format_per_language(language):
    moment = datetime.datetime(2026, 12, 2, 2, 27)
    with translation.override(language):
        short = Template('{{ when|date:"SHORT_DATETIME_FORMAT" }}').render(Context({"when": moment}))
        long = Template('{{ when|date:"DATETIME_FORMAT" }}').render(Context({"when": moment}))
    assert short == long
    assert short == ("2026-12-02 02:27" if language == "en" else "2026年12月2日 02:27")


@pytest.mark.parametrize(("language", "label"), [("en", "assisted buying"), ("zh-hans", "代买")])
def test_service_kinds_speak_one_language(db, language, label):
    kind = ServiceKind.objects.get(code="assisted_buying")
    assert kind.name == "代买 assisted buying"  # as seeded
    with translation.override(language):
        assert str(kind) == label


def test_the_services_label_is_not_a_village_code_hint():
    with translation.override("zh-hans"):
        assert str(ServiceKind._meta.verbose_name_plural) == "服务项目"


def test_the_tasks_app_and_its_results_are_named_in_chinese(db):
    with translation.override("zh-hans"):
        assert str(apps.get_app_config("django_tasks_database").verbose_name) == "后台任务"
        model = apps.get_model("django_tasks_database", "DBTaskResult")
        assert str(model._meta.verbose_name_plural) == "后台任务结果"


@pytest.mark.parametrize(("language", "shown", "hidden"), [
    ("zh-hans", "阿里研究院（2020 年起）", "AliResearch 2020 onward"),
    ("en", "AliResearch, 2020 onward", "阿里研究院"),
])
def test_the_village_page_names_the_criteria_version_in_the_readers_language(client, tree, language, shown, hidden):
    village = VillageFactory(township=tree.town)
    AssessmentFactory(village=village, year=2023, criteria_set=CriteriaSet.objects.get(name="AliResearch 2020 onward"))
    page = client.get(reverse("villages:village_detail", args=[village.code]), HTTP_ACCEPT_LANGUAGE=language)
    assert shown in page.content.decode() and hidden not in page.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("list_name", ["annualreport", "shopyear", "assessment", "reportingwindow", "criteriaset"])
def test_admin_lists_write_years_without_grouping(client_for, administrator, tree, language, list_name):
    village = VillageFactory(township=tree.town)
    AnnualReportFactory(village=village, year=2024)
    ShopYearFactory(year=2024)
    AssessmentFactory(village=village, year=2024)
    from villages.models import ReportingWindow

    ReportingWindow.objects.create(year=2024, opens_on=datetime.date(2025, 1, 1), closes_on=datetime.date(2025, 3, 31))
    page = client_for(administrator).get(reverse(f"admin:villages_{list_name}_changelist"),
                                         HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "2,024" not in page and "2,020" not in page and "2,009" not in page
    assert ">2024<" in page or ">2020<" in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_admin_change_pages_write_read_only_years_without_grouping(client_for, administrator, tree, language):
    village = VillageFactory(township=tree.town)
    report = AnnualReportFactory(village=village, year=2024)
    assessment = AssessmentFactory(village=village, year=2024)
    criteria = CriteriaSet.objects.get(name="AliResearch 2020 onward")
    client = client_for(administrator)
    for url in (reverse("admin:villages_annualreport_change", args=[report.pk]),
                reverse("admin:villages_assessment_change", args=[assessment.pk]),
                reverse("admin:villages_criteriaset_change", args=[criteria.pk])):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "2,024" not in page and "2,020" not in page, url
        assert '<div class="readonly">2024</div>' in page or '<div class="readonly">2020</div>' in page, url
