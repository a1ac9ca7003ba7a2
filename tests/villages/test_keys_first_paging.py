"""`KeysFirstPaginator` and the review queue: the sorting query reads keys only, the page keeps its order."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import AnnualReport
from villages.views.listing import KeysFirstPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(tree):
    """30 submitted reports, submitted in an order unlike their ids (the queue's order is the submission's)."""
    start = timezone.now() - datetime.timedelta(days=60)
    reports = []
    for number in range(30):
        report = AnnualReportFactory(village=VillageFactory(township=tree.town), year=2023, status="submitted")
        report.submitted_at = start + datetime.timedelta(hours=(number * 7) % 30)
        report.save(update_fields=["submitted_at"])
        reports.append(report)
    return sorted(reports, key=lambda report: (report.submitted_at, report.pk))


def test_a_page_holds_the_rows_of_its_keys_in_the_order_of_the_lean_query(submitted):
    lean = AnnualReport.objects.order_by("submitted_at", "pk")
    read = []

    def rows_of(keys):
        read.append(list(keys))
        return AnnualReport.objects.filter(pk__in=keys).order_by("-pk")  # any order: the page puts it back

    paginator = KeysFirstPaginator(lean, 25, rows_of=rows_of)
    first, second = paginator.get_page(1), paginator.get_page(2)

    assert [report.pk for report in first] == [report.pk for report in submitted[:25]]
    assert [report.pk for report in second] == [report.pk for report in submitted[25:]]
    assert read == [[report.pk for report in submitted[:25]], [report.pk for report in submitted[25:]]]
    assert paginator.count == 30 and paginator.num_pages == 2
    assert paginator.get_page("nonsense").number == 1 and paginator.get_page(99).number == 2


def test_an_empty_list_reads_no_rows(db):
    paginator = KeysFirstPaginator(AnnualReport.objects.order_by("pk"), 25, rows_of=lambda keys: pytest.fail(keys))
    assert list(paginator.get_page(1)) == []


def test_a_row_gone_between_the_two_queries_is_left_out(submitted):
    def rows_of(keys):
        AnnualReport.objects.filter(pk=keys[0]).delete()
        return AnnualReport.objects.filter(pk__in=keys)

    page = KeysFirstPaginator(AnnualReport.objects.order_by("submitted_at", "pk"), 25, rows_of=rows_of).get_page(1)
    assert [report.pk for report in page] == [report.pk for report in submitted[1:25]]


def test_the_queue_sorts_keys_only_and_annotates_only_its_page(submitted, reviewer, client_for):
    client = client_for(reviewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("villages:review_queue"))
    assert response.status_code == 200
    shown = [report.pk for report in response.context["page"]]
    assert shown == [report.pk for report in submitted[:25]]

    sorting = [query["sql"] for query in queries.captured_queries
               if "villages_annualreport" in query["sql"] and query["sql"].endswith("LIMIT 25")]
    assert len(sorting) == 1
    selected = sorting[0].split(" FROM ", 1)[0]
    assert selected == 'SELECT "villages_annualreport"."id" AS "pk"'
    assert "platformshopyear" not in sorting[0] and "villages_division" not in sorting[0]

    annotating = [query["sql"] for query in queries.captured_queries if "villages_platformshopyear" in query["sql"]]
    assert len(annotating) == 1
    assert all(f"{report.pk}" in annotating[0] for report in submitted[:25])
    assert not annotating[0].endswith("LIMIT 25")
    # The page compares each row in Python: no comparison columns, which repeat every figure's subqueries.
    assert '"gap_percent"' not in annotating[0] and '"reconciliation_flagged"' not in annotating[0]
