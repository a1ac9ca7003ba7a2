"""The in-app inbox: who is told of each step, read and unread, the inbox page and the header's count."""

import datetime

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.completeness_data import build_season
from tests.conftest import make_user
from tests.factories import UserFactory, VillageFactory
from villages.models import COUNTY_OFFICIALS, REVIEWERS, Notification, ReportingReminder
from villages.reminders import reminders_send
from villages.selectors.inbox import notification_text, notification_url
from villages.services.evidence import comment_add
from villages.services.inbox import notification_mark_read, notifications_mark_all_read
from villages.services.reports import (
    report_approve,
    report_create,
    report_reopen,
    report_return,
    report_submit,
    township_report_create,
    township_report_submit,
)

Kind = Notification.Kind
PASSWORD = "secret-pass-123"
FIGURES = {"ecommerce_sales": 15_000_000, "active_shops": 150}


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, code="371721121227", name="丁楼村", households=1200)


@pytest.fixture
def draft(village, official):
    return report_create(by=official, village=village, year=2023, households=1200, **FIGURES)


@pytest.fixture
def prefecture_reviewer(tree):
    # No e-mail address: the inbox is the only place this reviewer hears of anything.
    return make_user("heze_reviewer", REVIEWERS, [tree.prefecture], email="")


def inbox(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


def recipients(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


# Who is told of what.


def test_a_submission_tells_every_reviewer_of_the_area_even_without_an_address(
        draft, official, reviewer, other_reviewer, prefecture_reviewer):
    report_submit(report=draft, by=official)

    assert recipients(Kind.SUBMITTED) == {"reviewer", "heze_reviewer"}
    entry = inbox(prefecture_reviewer)[0]
    assert entry.report == draft and entry.read_at is None
    with translation.override("en"):
        assert notification_text(entry) == (
            "official submitted the 2023 report of 丁楼村 (371721121227) for review.")
    assert notification_url(entry) == reverse("villages:report_detail", args=[draft.pk])


def test_approval_return_and_reopening_tell_the_submitter_with_the_comment(draft, official, reviewer):
    report_submit(report=draft, by=official)
    report_return(report=draft, by=reviewer, comment="Shop count differs from the platform")
    report_submit(report=draft, by=official)
    report_approve(report=draft, by=reviewer)
    report_reopen(report=draft, by=reviewer, comment="Duplicate shops found")

    told = Notification.objects.filter(recipient=official).order_by("created_at", "id")
    assert [entry.kind for entry in told] == [Kind.RETURNED, Kind.APPROVED, Kind.REOPENED]
    assert recipients(Kind.RETURNED) == recipients(Kind.APPROVED) == recipients(Kind.REOPENED) == {"official"}
    with translation.override("en"):
        texts = [notification_text(entry) for entry in told]
    assert texts[0] == ("reviewer returned the 2023 report of 丁楼村 (371721121227) for correction: "
                        "Shop count differs from the platform")
    assert texts[1] == "reviewer approved the 2023 report of 丁楼村 (371721121227)."
    assert texts[2].endswith("Duplicate shops found")


def test_a_submitter_without_an_address_is_told_in_the_inbox_only(village, reviewer):
    silent = make_user("silent_official", COUNTY_OFFICIALS, [village.township.parent], email="")
    report = report_create(by=silent, village=village, year=2023, households=1200, **FIGURES)
    report_submit(report=report, by=silent)
    report_approve(report=report, by=reviewer)

    assert [entry.kind for entry in inbox(silent)] == [Kind.APPROVED]
    assert not report.outbound_mail.filter(recipient="").exists()


def test_a_townships_own_report_is_told_the_same_way_and_links_to_its_page(tree, official, reviewer):
    report = township_report_create(by=official, township=tree.town, year=2023, **FIGURES)
    township_report_submit(report=report, by=official)

    entry = Notification.objects.get(kind=Kind.SUBMITTED)
    assert entry.recipient == reviewer and entry.township_report == report and entry.report is None
    assert notification_url(entry) == reverse("villages:township_report_detail", args=[report.pk])
    with translation.override("en"):
        assert tree.town.name in notification_text(entry)


def test_a_comment_tells_the_other_side_and_not_its_author(
        draft, official, other_official, reviewer, other_reviewer, prefecture_reviewer):
    colleague = make_user("colleague", COUNTY_OFFICIALS, [draft.village.township.parent])
    comment_add(report=draft, by=official, text="Screenshots attached.")

    assert recipients(Kind.COMMENT) == {"reviewer", "heze_reviewer", "colleague"}
    Notification.objects.all().delete()

    comment_add(report=draft, by=reviewer, text="Which platform?")
    assert recipients(Kind.COMMENT) == {"official", "colleague", "heze_reviewer"}
    with translation.override("en"):
        assert notification_text(inbox(official)[0]).endswith("commented on the 2023 report of 丁楼村 "
                                                              "(371721121227): Which platform?")
    assert inbox(colleague)[0].report == draft


def test_a_long_comment_is_quoted_shortened(draft, official, reviewer):
    comment_add(report=draft, by=official, text="x" * 1000)
    with translation.override("en"):
        text = notification_text(inbox(reviewer)[0])
    assert text.endswith("x…") and len(text) < 300


def test_a_step_that_rolls_back_leaves_no_entry(draft, official, reviewer):
    with pytest.raises(RuntimeError), transaction.atomic():
        report_submit(report=draft, by=official)
        raise RuntimeError("the request failed after the step")
    assert not Notification.objects.exists()


def test_a_window_closing_reminds_each_official_in_the_inbox_once_addresses_or_not(tree, settings):
    settings.REMINDER_DAYS_BEFORE_CLOSE = 3
    season = build_season(tree)
    county_a = season.users["official_a"]
    silent = make_user("silent_a", COUNTY_OFFICIALS, [season.counties["a"]], email="")

    reminders_send(today=datetime.date(2024, 10, 28))
    reminders_send(today=datetime.date(2024, 10, 29))

    assert {"official_a", "official_b", "silent_a"} <= recipients(Kind.WINDOW_CLOSING)
    assert len(inbox(county_a, Kind.WINDOW_CLOSING)) == len(inbox(silent, Kind.WINDOW_CLOSING)) == 1
    assert ReportingReminder.objects.get(recipient=silent).mail is None
    entry = inbox(silent)[0]
    assert entry.report is None
    assert notification_url(entry) == reverse("villages:completeness") + "?year=2024"
    with translation.override("en"):
        assert notification_text(entry) == (
            "The reporting window for 2024 closes on 2024-10-31; 3 of your villages have not submitted their "
            "report yet.")


def test_a_lockout_tells_the_account_owner_once_and_a_guessed_name_nobody(db):
    owner = UserFactory(username="clerk", email="")
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 2):
        client.post("/accounts/login/", {"username": "clerk", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "nobody", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")

    entries = Notification.objects.filter(kind=Kind.LOCKOUT)
    assert [entry.recipient for entry in entries] == [owner]
    with translation.override("en"):
        assert "10.0.0.9" in notification_text(entries[0])


def test_the_text_is_shown_in_the_readers_language(draft, official, reviewer):
    report_submit(report=draft, by=official)
    entry = inbox(reviewer)[0]
    with translation.override("zh-hans"):
        chinese = notification_text(entry)
    with translation.override("en"):
        english = notification_text(entry)
    assert chinese != english and "丁楼村" in chinese and "提交" in chinese


# Read and unread.


def test_marking_read_keeps_the_first_time_and_touches_nobody_elses(draft, official, reviewer, other_reviewer):
    report_submit(report=draft, by=official)
    entry = inbox(reviewer)[0]
    notification_mark_read(notification=entry, by=reviewer)
    first = Notification.objects.get(pk=entry.pk).read_at
    assert first is not None
    notification_mark_read(notification=entry, by=reviewer)
    assert Notification.objects.get(pk=entry.pk).read_at == first

    comment_add(report=draft, by=official, text="One more thing")
    assert notifications_mark_all_read(by=other_reviewer) == 0
    assert notifications_mark_all_read(by=reviewer) == 1
    assert not Notification.objects.filter(recipient=reviewer, read_at__isnull=True).exists()


# The pages.


def page_client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def header_count(response):
    """The unread count the header shows, or 0 when it shows none."""
    html = response.content.decode()
    marker = 'data-unread-count="'
    if marker not in html:
        return 0
    return int(html.split(marker, 1)[1].split('"', 1)[0])


def test_the_inbox_lists_newest_first_marks_unread_and_links_to_each_report(draft, official, reviewer):
    report_submit(report=draft, by=official)
    comment_add(report=draft, by=official, text="Screenshots attached.")
    client = page_client(reviewer)

    page = client.get(reverse("villages:inbox"))
    assert page.status_code == 200
    kinds = [entry["notification"].kind for entry in page.context["entries"]]
    assert kinds == [Kind.COMMENT, Kind.SUBMITTED]
    html = page.content.decode()
    assert html.count("inbox-unread") == 2
    assert reverse("villages:report_detail", args=[draft.pk]) in html
    assert "Screenshots attached." in html


def test_the_header_count_changes_as_entries_arrive_and_are_read(draft, official, reviewer):
    client = page_client(reviewer)
    assert header_count(client.get(reverse("villages:home"))) == 0
    report_submit(report=draft, by=official)
    comment_add(report=draft, by=official, text="Screenshots attached.")
    assert header_count(client.get(reverse("villages:home"))) == 2

    entry = inbox(reviewer, Kind.COMMENT)[0]
    assert client.post(reverse("villages:notification_read", args=[entry.pk])).status_code == 302
    assert header_count(client.get(reverse("villages:home"))) == 1
    answer = client.post(reverse("villages:inbox_mark_all_read"), follow=True)
    assert header_count(answer) == 0
    assert "1 notification marked read." in answer.content.decode()
    assert "inbox-unread" not in answer.content.decode()


def test_the_header_count_costs_no_query_of_its_own(draft, official, reviewer):
    report_submit(report=draft, by=official)
    client = page_client(reviewer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("villages:home"))
    assert header_count(page) == 1
    inbox_queries = [query["sql"] for query in queries.captured_queries if "villages_notification" in query["sql"]]
    # The one read of the inbox is the subquery in the SELECT that loads the logged-in user.
    assert len(inbox_queries) == 1
    assert 'FROM "auth_user"' in inbox_queries[0].replace("`", '"')


def test_another_users_entry_cannot_be_marked_read(draft, official, reviewer, other_reviewer):
    report_submit(report=draft, by=official)
    entry = inbox(reviewer)[0]
    answer = page_client(other_reviewer).post(reverse("villages:notification_read", args=[entry.pk]))
    assert answer.status_code == 404
    assert Notification.objects.get(pk=entry.pk).read_at is None
    assert page_client(reviewer).post(reverse("villages:notification_read", args=[2**63])).status_code == 404


def test_the_inbox_page_needs_a_login_and_marking_needs_a_post(db, reviewer):
    assert Client().get(reverse("villages:inbox")).status_code == 302
    assert page_client(reviewer).get(reverse("villages:inbox_mark_all_read")).status_code == 405


def test_the_inbox_page_runs_the_same_queries_for_one_entry_or_a_full_page(
        draft, official, reviewer, django_assert_num_queries):
    client = page_client(reviewer)
    comment_add(report=draft, by=official, text="first")
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("villages:inbox")).status_code == 200
    for number in range(40):
        comment_add(report=draft, by=official, text=f"comment {number}")
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("villages:inbox"), {"page": 2})
    assert len(page.context["entries"]) == 41 - 30


def test_administrators_read_the_record_in_the_admin_and_nobody_changes_it(draft, official, reviewer, administrator):
    report_submit(report=draft, by=official)
    entry = inbox(reviewer)[0]
    admin = page_client(administrator)
    listing = admin.get("/admin/villages/notification/")
    assert listing.status_code == 200
    assert "official submitted the 2023 report" in listing.content.decode()
    assert admin.post(f"/admin/villages/notification/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert page_client(reviewer).get("/admin/villages/notification/").status_code == 302
