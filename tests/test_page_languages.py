"""Every page speaks one language: no English sentences on a Chinese page, no Chinese words on an English one.

The crawl visits every page of the site (each named route of both apps, the admin's index and the lists and
forms of each registered model) as each role, once with `Accept-Language: zh-hans` and once with `en`, and
reads the text a person sees (tags, scripts and styles removed; titles, labels and button texts kept). Data is
not language: the names, codes, comments and usernames the test data holds are taken out before the check.

- Chinese pages: a run of two or more ASCII words (letters, at least two each) is English left untranslated.
  Single words pass: they are codes and names (CSV, XLSX, API, platform shop IDs, e-mail addresses).
- English pages: any CJK character left is Chinese left untranslated.

The allow-list below is small and each entry says why it is not a translation gap.
"""

import html
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse

from rural_services.models import ServiceKind
from tests.conftest import make_user
from tests.factories import (
    AnnualReportFactory,
    AssessmentFactory,
    CountyOperationCenterFactory,
    OnlineShopFactory,
    ReportingWindowFactory,
    ServiceActivityFactory,
    ServicePointFactory,
    ShopYearFactory,
    TaobaoTownFactory,
    VillageFactory,
)
from villages.models import (
    ADMINISTRATORS,
    COUNTY_OFFICIALS,
    REVIEWERS,
    Certificate,
    ImportJob,
    ReportAttachment,
    ReportComment,
    ReviewEvent,
)
from villages.services.certificates import certificates_sync
from villages.services.inbox import comment_notify

# Text the crawl reads: the page's visible text and the attributes a person (or a screen reader) meets.
HIDDEN = re.compile(r"<(script|style|noscript)\b.*?</\1>|<!--.*?-->", re.S | re.I)
SHOWN_ATTRIBUTES = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"')
TAG = re.compile(r"<[^>]+>")
ASCII_RUN = re.compile(r"[A-Za-z]{2,}(?:[ \t\-'’]+[A-Za-z]{2,})+")
# Django's admin writes its yes/no icons with alt="True"/"False"/"None" in English in every language (the icon
# says it; admin_list._boolean_icon hard-codes the words), so those images are not read.
BOOLEAN_ICON = re.compile(r'<img src="[^"]*/admin/img/icon-(?:yes|no|unknown)\.svg" alt="(?:True|False|None)">')
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u3011]")

# Not translation gaps, each for a reason:
ZH_ALLOWED = {
    "English",  # the language switcher names each language in itself
    "Access Log for",  # django-axes writes an access log's name in English (AccessLog.__str__, no gettext)
}
EN_ALLOWED = {
    "简体中文",  # the language switcher names each language in itself
}
# Pages that are not a person's reading: files, data, redirects after a POST.
NOT_PAGES = {
    "villages:division_options", "villages:certified_export", "villages:village_export", "villages:import_job_errors",
    "villages:import_template", "villages:import_job_confirm", "villages:report_attachment", "rural_services:map_data",
    "rural_services:point_export",
    "villages:dashboard_table", "villages:data_package", "villages:open_data_file", "villages:drill_down_table",
    "villages:certificate_pdf", "villages:certificate_qr", "villages:status_change_export",
    "villages:register_from_feed",
}
# A part of a page that declares itself Chinese whatever the reader's language (the printable certificate).
DECLARED_CHINESE = re.compile(r'<(article|section)\b[^>]*\blang="zh-Hans"[^>]*>.*?</\1>', re.S)


@pytest.fixture
def site(tree):
    """One of everything a page can show, in the official's county, with its review history."""
    official = make_user("clerk", COUNTY_OFFICIALS, [tree.county], email="clerk@example.gov.cn")
    reviewer = make_user("checker", REVIEWERS, [tree.province], email="checker@example.gov.cn")
    administrator = make_user("admin", ADMINISTRATORS, is_staff=True, is_superuser=True)
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村", households=800, population=3000,
                             latitude=34.8, longitude=115.6, main_products="演出服")
    shop = OnlineShopFactory(village=village, name="丁楼演出服", platform_shop_id="tb0001", category="服装")
    shop_year = ShopYearFactory(shop=shop, year=2023)
    approved = AnnualReportFactory(village=village, year=2023, status="approved")
    AssessmentFactory(village=village, year=2023, report=approved)
    certificates_sync(years=[2023])
    submitted = AnnualReportFactory(village=village, year=2024, status="submitted")
    ReviewEvent.objects.create(report=submitted, from_status="draft", to_status="submitted", by=official)
    reopened = AnnualReportFactory(village=village, year=2022, status="returned", reopened=True,
                                   review_comment="重复网店")
    ReviewEvent.objects.create(report=reopened, from_status="approved", to_status="returned", by=reviewer,
                               comment="重复网店")
    TaobaoTownFactory(township=tree.town, year=2023)
    ReportingWindowFactory(year=2024)
    center = CountyOperationCenterFactory(county=tree.county, name="曹县运营中心", address="青菏路1号")
    point = ServicePointFactory(village=village, county_center=center, code="SP-001", name="丁楼服务站",
                                latitude="34.81", longitude="115.61")
    point.services.set(ServiceKind.objects.all()[:2])
    activity = ServiceActivityFactory(point=point)
    attachment = ReportAttachment(report=submitted, name="销售流水.pdf", content_type="application/pdf", size=9,
                                  sha256="0" * 64, uploaded_by=official)
    attachment.file.save("statement.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    comment = ReportComment.objects.create(report=submitted, author=reviewer, text="请补充网店截图")
    comment_notify(comment=comment)  # the clerk's inbox holds one entry
    job = ImportJob.objects.create(
        uploaded_by=official, kind="villages", file_name="villages.csv", status=ImportJob.Status.VALIDATED,
        invalid_count=1, errors=[{"row": 2, "column": "户数", "field": "households", "value": "abc",
                                  "message": "x", "text": {"msgid": "Enter a whole number."}}])
    return {
        "users": {"anonymous": None, "official": official, "reviewer": reviewer, "administrator": administrator},
        "args": {
            "code": village.code, "report_id": submitted.pk, "shop_id": shop.pk, "shop_year_id": shop_year.pk,
            "pk": job.pk, "center_id": center.pk, "activity_id": activity.pk, "point_code": point.code,
            "attachment_id": attachment.pk, "notification_id": official.notifications.get().pk,
            "serial": Certificate.objects.get().serial,
        },
        "reports": {"approved": approved, "reopened": reopened},
    }


# Reference data seeded by migrations and shown through translated labels: its stored names are not "data".
CATALOGUE_MODELS = ("rural_services.servicekind", "villages.criteriaset")
CATALOGUE_DATA_FIELDS = ("source",)


def data_texts(*, catalogues_are_data: bool = False) -> list[str]:
    """Every name, code, comment and username the database holds: data, shown as entered, in no language.

    The catalogues' stored names count as data only where they are shown as stored: in the admin's lists.
    """
    from django.apps import apps

    texts = set()
    for model in apps.get_models():
        text_fields = [field.attname for field in model._meta.concrete_fields
                       if field.get_internal_type() in ("CharField", "TextField") and not field.choices]
        if model._meta.label_lower in CATALOGUE_MODELS and not catalogues_are_data:
            # A catalogue's bibliographic source is shown as stored (the criteria page cites it): data.
            text_fields = [name for name in text_fields if name in CATALOGUE_DATA_FIELDS]
        # Sessions and admin log entries are not shown as data; auth's permission names are (Django stores them
        # in English when it creates them, from each model's name).
        if not text_fields or model._meta.app_label in ("sessions", "admin", "contenttypes"):
            continue
        for row in model._default_manager.values_list(*text_fields):
            texts.update(str(value) for value in row if value)
    from django.contrib.auth import get_user_model

    texts.update(get_user_model().objects.values_list("username", flat=True))
    return sorted(texts, key=len, reverse=True)


def shown_text(page: str, data: list[str]) -> str:
    text = BOOLEAN_ICON.sub(" ", HIDDEN.sub(" ", page))
    attributes = " ".join(SHOWN_ATTRIBUTES.findall(text))
    text = html.unescape(TAG.sub(" ", text) + " " + attributes)
    for value in data:
        text = text.replace(value, " ")
    return text


def page_paths(args) -> dict[str, str]:
    """Every named web route of both apps with arguments from the test data; a new route must be added here."""
    by_name = {}
    resolver = get_resolver()
    for namespace in ("villages", "rural_services"):
        for pattern in resolver.namespace_dict[namespace][1].url_patterns:
            full = f"{namespace}:{pattern.name}"
            if full in NOT_PAGES:
                continue
            values = {}
            for parameter in pattern.pattern.converters:
                values[parameter] = args["point_code" if (parameter, namespace) == ("code", "rural_services")
                                         else parameter]
            by_name[full] = reverse(full, kwargs=values)
    return by_name


def admin_paths(site_data) -> list[str]:
    paths = [reverse("admin:index")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        paths.append(reverse(f"{prefix}_changelist"))
        instance = model._default_manager.first()
        if instance is not None:
            paths.append(reverse(f"{prefix}_change", args=[instance.pk]))
    return paths


def untranslated(text: str, language: str) -> list[str]:
    if language == "zh-hans":
        found = {run for run in ASCII_RUN.findall(text)}
        return sorted(run for run in found if run not in ZH_ALLOWED)
    found = set()
    for line in text.split("\n"):
        for allowed in EN_ALLOWED:
            line = line.replace(allowed, " ")
        if CJK.search(line):
            found.add(" ".join(line.split())[:120])
    return sorted(found)


def crawl(client_for, client, site, language, paths, read=None, *, admin_pages=False):
    data = data_texts(catalogues_are_data=admin_pages)
    problems = {}
    for role, user in site["users"].items():
        visitor = client_for(user) if user else client
        for path in paths(role):
            response = visitor.get(path, HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            if read is not None:
                read.append(f"{role} {path}")
            content = response.content.decode()
            if language == "en":
                content = DECLARED_CHINESE.sub(" ", content)
            found = untranslated(shown_text(content, data), language)
            if found:
                problems[f"{role} {path}"] = found
    return problems


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_speaks_the_readers_language_for_every_role(client_for, client, site, language):
    pages = page_paths(site["args"])
    assert len(pages) >= 30  # both apps' pages, not an empty crawl
    extra = [reverse("villages:report_detail", args=[report.pk]) for report in site["reports"].values()]
    extra += [reverse("login"), "/api/v1/docs/"]
    read = []
    problems = crawl(client_for, client, site, language, lambda role: [*pages.values(), *extra], read)
    assert problems == {}
    # Each role read the pages it may open: the public ones, and a clerk and a reviewer their forms and queue.
    assert len([page for page in read if page.startswith("anonymous ")]) >= 8
    assert len([page for page in read if page.startswith("official ")]) >= 25
    assert len([page for page in read if page.startswith("reviewer ")]) >= 12
    assert len([page for page in read if page.startswith("administrator ")]) >= 35


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_admin_page_speaks_the_readers_language(client_for, client, site, language):
    only_administrator = {**site, "users": {"administrator": site["users"]["administrator"]}}
    problems = crawl(client_for, client, only_administrator, language, lambda role: admin_paths(site),
                     admin_pages=True)
    assert problems == {}


def test_the_crawl_finds_english_on_a_chinese_page(client, site):
    """The check itself: an English sentence is caught, a code or a single name is not."""
    text = shown_text("<p>村代码 <b>371721121227</b> · CSV · Save the report</p>", data_texts())
    assert untranslated(text, "zh-hans") == ["Save the report"]
    assert untranslated("<p>Village 丁楼村</p>", "en") == ["<p>Village 丁楼村</p>"]
    assert untranslated(shown_text("<p>Village 丁楼村</p>", data_texts()), "en") == []


def test_the_roles_exist(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {ADMINISTRATORS, COUNTY_OFFICIALS, REVIEWERS}
