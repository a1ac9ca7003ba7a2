"""Notification e-mails link to the report they are about, as an absolute address from SITE_URL (issue 19, 8)."""

import pytest
from django.urls import reverse

from tests.factories import VillageFactory
from villages.notifications import report_url
from villages.services.reports import report_approve, report_create, report_reopen, report_return, report_submit


@pytest.fixture
def draft(tree, official):
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    return report_create(
        by=official, village=village, year=2023, ecommerce_sales=15_000_000, active_shops=150, households=1200
    )


def test_the_report_address_is_absolute_from_the_setting(draft, settings):
    settings.SITE_URL = "https://registry.example.gov.cn/"
    assert report_url(draft) == f"https://registry.example.gov.cn/reports/{draft.pk}/"


@pytest.mark.parametrize("step", ["submit", "approve", "return", "reopen"])
def test_every_workflow_mail_links_to_the_report(
    draft, official, reviewer, mailoutbox, django_capture_on_commit_callbacks, settings, step
):
    settings.SITE_URL = "https://registry.example.gov.cn"
    with django_capture_on_commit_callbacks(execute=True):
        report_submit(report=draft, by=official)
        if step in ("approve", "reopen"):
            report_approve(report=draft, by=reviewer)
        if step == "return":
            report_return(report=draft, by=reviewer, comment="请核对")
        if step == "reopen":
            report_reopen(report=draft, by=reviewer, comment="发现重复网店")
    link = "https://registry.example.gov.cn" + reverse("villages:report_detail", args=[draft.pk])
    assert mailoutbox and all(link in message.body for message in mailoutbox)
    assert all("Open the report: " + link in message.body for message in mailoutbox)
