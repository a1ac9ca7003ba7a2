"""Bulk review from the web review queue: confirmation, one claim per report, refusals, jurisdiction, queries."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from tests.factories import AnnualReportFactory, OnlineShopFactory, ShopYearFactory, VillageFactory
from tests.feed_factories import PlatformVillageYearFactory
from villages.models import REVIEWERS, AnnualReport, Assessment, ProvinceApprovalPolicy, ReviewEvent
from villages.selectors.bulk_review import reports_for_bulk_review
from villages.selectors.review import report_warnings
from villages.services import reports as report_services
from villages.services.bulk_review import reports_bulk_review
from villages.services.reports import report_approve, report_return, report_submit

pytestmark = pytest.mark.django_db

Status = AnnualReport.Status


def submitted_reports(tree, official, count, *, township=None):
    """`count` reports of distinct villages, submitted through the service (as the county would)."""
    reports = []
    for _ in range(count):
        report = AnnualReportFactory(village=VillageFactory(township=township or tree.town), year=2023)
        reports.append(report_submit(report=report, by=official))
    return reports


def confirm(client, ids, action="approve", comment="", **more):
    return client.post(
        reverse("villages:bulk_review_confirm"), {"report": ids, "action": action, "comment": comment, **more}
    )


def apply(client, ids, action="approve", comment="", confirmed="on"):
    data = {"report": ids, "action": action, "comment": comment}
    if confirmed:
        data["confirmed"] = confirmed
    return client.post(reverse("villages:bulk_review"), data)


def statuses(reports):
    return dict(AnnualReport.objects.filter(pk__in=[r.pk for r in reports]).values_list("pk", "status"))


def test_fifty_approved_with_three_changed_meanwhile_gives_47_approved_and_3_refused_with_reasons(
    client_for, tree, official, reviewer
):
    reports = submitted_reports(tree, official, 50)
    ids = [report.pk for report in reports]
    client = client_for(reviewer)
    page = confirm(client, ids)
    assert page.status_code == 200
    assert page.content.decode().count('<tr data-report="') == 50

    # Between the confirmation page and the confirmed step: another reviewer approves one and returns one;
    # a third is returned and corrected by the county (edited), so none of the three is submitted any more.
    other_reviewer = make_user("second_reviewer", REVIEWERS, [tree.prefecture])
    approved_meanwhile, returned_meanwhile, edited_meanwhile = reports[3], reports[17], reports[42]
    report_approve(report=approved_meanwhile, by=other_reviewer)
    report_return(report=returned_meanwhile, by=other_reviewer, comment="补充网店名单")
    report_return(report=edited_meanwhile, by=other_reviewer, comment="核对户数")
    report_services.report_update(
        report=edited_meanwhile, by=official, version=edited_meanwhile.version, households=900
    )
    changed = {approved_meanwhile.pk, returned_meanwhile.pk, edited_meanwhile.pk}
    events_before = {pk: ReviewEvent.objects.filter(report_id=pk).count() for pk in changed}

    response = apply(client, ids)
    assert response.status_code == 302 and response.url == reverse("villages:bulk_review_result")

    after = statuses(reports)
    done = [pk for pk in ids if pk not in changed]
    assert all(after[pk] == Status.APPROVED for pk in done) and len(done) == 47
    # Nothing half-done: each of the 47 has its assessment and its one approval step by this reviewer.
    assert set(Assessment.objects.filter(report_id__in=done).values_list("report_id", flat=True)) == set(done)
    assert set(
        ReviewEvent.objects.filter(
            report_id__in=done, by=reviewer, from_status=Status.SUBMITTED, to_status=Status.APPROVED
        ).values_list("report_id", flat=True)
    ) == set(done)
    # The three are untouched by this step.
    assert after[approved_meanwhile.pk] == Status.APPROVED
    assert after[returned_meanwhile.pk] == Status.RETURNED and after[edited_meanwhile.pk] == Status.RETURNED
    assert not ReviewEvent.objects.filter(report_id__in=changed, by=reviewer).exists()
    assert {pk: ReviewEvent.objects.filter(report_id=pk).count() for pk in changed} == events_before
    assert AnnualReport.objects.get(pk=edited_meanwhile.pk).households == 900
    assert AnnualReport.objects.get(pk=approved_meanwhile.pk).reviewed_by == other_reviewer

    result = client.get(response.url).content.decode()
    assert "47 approved, 3 refused." in result
    refused = result.split('id="bulk-review-refused"')[1].split("</table>")[0]
    assert refused.count('<tr data-report="') == 3
    assert refused.count("Only a submitted report can be approved; this one is approved.") == 1
    assert refused.count("Only a submitted report can be approved; this one is returned.") == 2
    assert result.split('id="bulk-review-succeeded"')[1].count('<tr data-report="') == 47


def test_reports_changed_while_the_step_runs_are_refused_and_the_rest_approved(
    tree, official, reviewer, monkeypatch
):
    """The rows are read once before the loop; reports another reviewer takes during it are refused."""
    reports = submitted_reports(tree, official, 6)
    other_reviewer = make_user("second_reviewer", REVIEWERS, [tree.prefecture])
    assess = report_services.report_assess
    taken = []

    def assess_while_another_reviewer_acts(*, report):
        if not taken:
            taken.extend([reports[4], reports[5]])
            report_return(report=AnnualReport.objects.get(pk=reports[4].pk), by=other_reviewer, comment="重报")
            report_approve(report=AnnualReport.objects.get(pk=reports[5].pk), by=other_reviewer)
        return assess(report=report)

    monkeypatch.setattr(report_services, "report_assess", assess_while_another_reviewer_acts)
    outcomes = reports_bulk_review(report_ids=[r.pk for r in reports], by=reviewer, action="approve")

    assert [outcome.succeeded for outcome in outcomes] == [True, True, True, True, False, False]
    assert "this one is returned" in str(outcomes[4].refusal) and "this one is approved" in str(outcomes[5].refusal)
    after = statuses(reports)
    assert [after[r.pk] for r in reports] == [Status.APPROVED] * 4 + [Status.RETURNED, Status.APPROVED]
    assert AnnualReport.objects.get(pk=reports[5].pk).reviewed_by == other_reviewer


def test_return_of_several_gives_each_the_comment_and_mails_the_county(
    client_for, tree, official, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    reports = submitted_reports(tree, official, 3)
    ids = [report.pk for report in reports]
    client = client_for(reviewer)
    assert confirm(client, ids, action="return", comment="请补充网店名单").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = apply(client, ids, action="return", comment="请补充网店名单")

    assert response.status_code == 302
    for report in AnnualReport.objects.filter(pk__in=ids):
        assert report.status == Status.RETURNED and report.review_comment == "请补充网店名单"
        event = ReviewEvent.objects.get(report=report, by=reviewer)
        assert (event.to_status, event.comment) == (Status.RETURNED, "请补充网店名单")
    assert len(mailoutbox) == 3
    assert all(message.to == [official.email] and "请补充网店名单" in message.body for message in mailoutbox)
    assert "3 returned to their counties, 0 refused." in client.get(response.url).content.decode()


def test_return_without_a_comment_is_refused_before_anything_changes(client_for, tree, official, reviewer):
    reports = submitted_reports(tree, official, 2)
    ids = [report.pk for report in reports]
    client = client_for(reviewer)

    page = confirm(client, ids, action="return", comment="  ")
    assert page.status_code == 400 and "Say what the county must correct" in page.content.decode()
    step = apply(client, ids, action="return", comment="")
    assert step.status_code == 400
    assert set(statuses(reports).values()) == {Status.SUBMITTED}


def test_another_areas_report_in_the_post_is_refused_and_untouched(
    client_for, tree, official, other_official, reviewer
):
    mine = submitted_reports(tree, official, 2)
    foreign = submitted_reports(tree, other_official, 1, township=tree.other_town)[0]
    ids = [mine[0].pk, foreign.pk, mine[1].pk]
    client = client_for(reviewer)

    page = confirm(client, ids).content.decode()
    assert page.count('<tr data-report="') == 2
    assert f"report no. {foreign.pk}" in page.split('id="bulk-review-not-found"')[1]
    assert foreign.village.name not in page

    response = apply(client, ids)
    assert AnnualReport.objects.get(pk=foreign.pk).status == Status.SUBMITTED
    assert not ReviewEvent.objects.filter(report=foreign, by=reviewer).exists()
    assert set(statuses(mine).values()) == {Status.APPROVED}
    result = client.get(response.url).content.decode()
    refused = result.split('id="bulk-review-refused"')[1].split("</table>")[0]
    assert f"report no. {foreign.pk}" in refused and "No such report waits in your review area" in refused
    assert foreign.village.name not in result


@pytest.mark.parametrize("name", ["bulk_review_confirm", "bulk_review"])
def test_a_county_official_is_refused_the_bulk_steps(client_for, tree, official, reviewer, name):
    reports = submitted_reports(tree, official, 2)
    response = client_for(official).post(
        reverse(f"villages:{name}"), {"report": [r.pk for r in reports], "action": "approve", "confirmed": "on"}
    )
    assert response.status_code == 403
    assert set(statuses(reports).values()) == {Status.SUBMITTED}


def test_a_county_official_is_refused_the_result_page(client_for, official):
    assert client_for(official).get(reverse("villages:bulk_review_result")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, tree, official):
    reports = submitted_reports(tree, official, 1)
    response = client.post(reverse("villages:bulk_review"), {"report": [reports[0].pk], "action": "approve"})
    assert response.status_code == 302 and "login" in response.url
    assert AnnualReport.objects.get(pk=reports[0].pk).status == Status.SUBMITTED


@pytest.mark.parametrize("name", ["bulk_review_confirm", "bulk_review"])
def test_the_bulk_steps_take_no_get(client_for, reviewer, name):
    assert client_for(reviewer).get(reverse(f"villages:{name}")).status_code == 405


def test_the_step_needs_the_confirmation_tick(client_for, tree, official, reviewer):
    reports = submitted_reports(tree, official, 2)
    response = apply(client_for(reviewer), [r.pk for r in reports], confirmed="")
    assert response.status_code == 400 and "Tick the box to confirm" in response.content.decode()
    assert set(statuses(reports).values()) == {Status.SUBMITTED}


def test_the_step_is_csrf_protected(tree, official, reviewer):
    from django.test import Client

    reports = submitted_reports(tree, official, 1)
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(reviewer)
    response = client.post(
        reverse("villages:bulk_review"), {"report": [reports[0].pk], "action": "approve", "confirmed": "on"}
    )
    assert response.status_code == 403
    assert AnnualReport.objects.get(pk=reports[0].pk).status == Status.SUBMITTED


@pytest.mark.parametrize(
    "data",
    [
        {"report": ["abc"], "action": "approve"},
        {"report": ["-3"], "action": "approve"},
        {"report": ["99999999999999999999999"], "action": "approve"},
        {"report": ["1"], "action": "delete"},
        {"report": ["1"]},
        {"action": "approve"},
        {"report": ["1"], "action": "approve", "comment": "x" * 2001},
    ],
)
def test_bad_input_is_a_400_with_a_message_and_changes_nothing(client_for, tree, official, reviewer, data):
    reports = submitted_reports(tree, official, 1)
    data = {key: [reports[0].pk] if value == ["1"] else value for key, value in data.items()}
    client = client_for(reviewer)
    for name in ("bulk_review_confirm", "bulk_review"):
        response = client.post(reverse(f"villages:{name}"), {**data, "confirmed": "on"})
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    assert AnnualReport.objects.get(pk=reports[0].pk).status == Status.SUBMITTED


def test_an_unknown_scope_on_the_queue_form_is_a_400(client_for, tree, official, reviewer):
    reports = submitted_reports(tree, official, 1)
    response = confirm(client_for(reviewer), [reports[0].pk], scope="everything")
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()


@override_settings(BULK_REVIEW_LIMIT=3)
def test_a_selection_over_the_limit_is_refused_with_the_limit(client_for, tree, official, reviewer):
    reports = submitted_reports(tree, official, 4)
    ids = [r.pk for r in reports]
    client = client_for(reviewer)
    for response in (confirm(client, ids), apply(client, ids)):
        assert response.status_code == 400
        assert "At most 3 reports can be reviewed in one step; 4 were selected." in response.content.decode()
    assert set(statuses(reports).values()) == {Status.SUBMITTED}


@override_settings(BULK_REVIEW_LIMIT=3)
def test_all_the_queue_shows_lists_the_oldest_up_to_the_limit_and_says_so(
    client_for, tree, official, other_official, reviewer
):
    submitted_reports(tree, other_official, 1, township=tree.other_town)
    reports = submitted_reports(tree, official, 5)
    page = confirm(client_for(reviewer), [], scope="all")
    assert page.status_code == 200
    body = page.content.decode()
    listed = [int(part.split('"')[0]) for part in body.split('<tr data-report="')[1:]]
    assert listed == [r.pk for r in reports[:3]]
    assert "The queue shows 2 more reports than one step may take (3)" in body


def test_the_confirmation_page_shows_figures_and_each_reports_warnings(client_for, tree, official, reviewer):
    plain, crowded = submitted_reports(tree, official, 2)
    AnnualReport.objects.filter(pk=crowded.pk).update(active_shops=900, households=800)
    body = confirm(client_for(reviewer), [plain.pk, crowded.pk]).content.decode()
    crowded_row = body.split(f'<tr data-report="{crowded.pk}">')[1].split("</tr>")[0]
    assert "900 active shops are declared for only 800 households." in crowded_row
    assert crowded.village.name in crowded_row and "2023" in crowded_row
    plain_row = body.split(f'<tr data-report="{plain.pk}">')[1].split("</tr>")[0]
    assert "households." not in plain_row
    assert "No online shops are registered for this village." in plain_row


def test_the_confirmation_page_is_in_chinese_for_a_chinese_reviewer(client_for, tree, official, reviewer):
    reports = submitted_reports(tree, official, 1)
    client = client_for(reviewer)
    response = client.post(
        reverse("villages:bulk_review_confirm"),
        {"report": [reports[0].pk], "action": "approve"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "批准这些报告" in response.content.decode()


def test_batched_warnings_are_exactly_those_of_the_report_page(tree, official, reviewer):
    villages = [VillageFactory(township=tree.town, households=800) for _ in range(5)]
    AnnualReportFactory(village=villages[0], year=2022, status=Status.APPROVED, ecommerce_sales=1_000_000)
    jump = AnnualReportFactory(village=villages[0], year=2023, ecommerce_sales=9_000_000, active_shops=10)
    crowded = AnnualReportFactory(village=villages[1], year=2023, active_shops=900)
    shop = OnlineShopFactory(village=villages[2])
    ShopYearFactory(shop=shop, year=2023)
    ShopYearFactory(shop=OnlineShopFactory(village=villages[2]), year=2023, days_open=10, orders_last_3_months=0)
    above_registered = AnnualReportFactory(village=villages[2], year=2023, active_shops=5)
    ShopYearFactory(shop=OnlineShopFactory(village=villages[3]), year=2023)
    fine = AnnualReportFactory(village=villages[3], year=2023, active_shops=1)
    PlatformVillageYearFactory(village=villages[4], year=2023, sales=1_000_000)
    platform = AnnualReportFactory(village=villages[4], year=2023, ecommerce_sales=12_000_000)
    reports = [jump, crowded, above_registered, fine, platform]
    for report in reports:
        report_submit(report=report, by=official)

    batched = {report.pk: report.warnings for report in reports_for_bulk_review(reviewer, [r.pk for r in reports])}

    for report in reports:
        assert batched[report.pk] == report_warnings(AnnualReport.objects.get(pk=report.pk))
    assert [w.key for w in batched[jump.pk]][:1] == ["sales_jump"]
    assert "shops_above_registered" in [w.key for w in batched[above_registered.pk]]
    assert batched[fine.pk] == []
    assert "platform_sales" in [w.key for w in batched[platform.pk]]


def test_the_confirmation_page_runs_the_same_queries_for_5_and_50_reports(
    client_for, tree, official, reviewer, django_assert_num_queries, django_assert_max_num_queries
):
    reports = submitted_reports(tree, official, 50)
    for report in reports[::2]:
        ShopYearFactory(shop=OnlineShopFactory(village=report.village), year=2023)
    client = client_for(reviewer)
    confirm(client, [reports[0].pk])  # the session and the user's jurisdiction are warm from here on
    with django_assert_max_num_queries(12) as five:
        assert confirm(client, [r.pk for r in reports[:5]]).status_code == 200
    with django_assert_num_queries(len(five.captured_queries)):
        assert confirm(client, [r.pk for r in reports]).status_code == 200


def test_the_result_page_is_shown_once_and_a_later_get_shows_nothing_stale(client_for, tree, official, reviewer):
    reports = submitted_reports(tree, official, 2)
    client = client_for(reviewer)
    response = apply(client, [r.pk for r in reports])
    first = client.get(response.url).content.decode()
    assert "2 approved, 0 refused." in first
    again = client.get(response.url).content.decode()
    assert "approved, 0 refused" not in again and 'id="bulk-review-nothing"' in again
    assert reports[0].village.name not in again


def test_the_queue_offers_the_selection_to_reviewers_only(client_for, tree, official, reviewer):
    report = submitted_reports(tree, official, 1)[0]
    queue = client_for(reviewer).get(reverse("villages:review_queue")).content.decode()
    assert f'name="report" value="{report.pk}" form="bulk-review"' in queue and 'id="bulk-review"' in queue
    county_view = client_for(official).get(reverse("villages:review_queue")).content.decode()
    assert 'id="bulk-review"' not in county_view


def test_reviewed_at_is_set_by_the_step(client_for, tree, official, reviewer):
    before = timezone.now()
    reports = submitted_reports(tree, official, 2)
    apply(client_for(reviewer), [r.pk for r in reports])
    assert all(report.reviewed_at >= before for report in AnnualReport.objects.filter(pk__in=[r.pk for r in reports]))


def test_only_foreign_ids_give_a_confirmation_page_without_a_step(client_for, tree, other_official, reviewer):
    foreign = submitted_reports(tree, other_official, 2, township=tree.other_town)
    page = confirm(client_for(reviewer), [r.pk for r in foreign])
    body = page.content.decode()
    assert page.status_code == 200 and "None of the selected reports can be reviewed by you." in body
    assert 'action="/review/bulk/"' not in body and all(r.village.name not in body for r in foreign)


def test_an_administrator_bulk_approves_reports_of_every_area(
    client_for, tree, official, other_official, administrator
):
    reports = submitted_reports(tree, official, 1)
    reports += submitted_reports(tree, other_official, 1, township=tree.other_town)
    response = apply(client_for(administrator), [r.pk for r in reports])
    assert response.status_code == 302
    assert set(statuses(reports).values()) == {Status.APPROVED}


def test_a_reviewer_of_the_other_province_approves_nothing_here(client_for, tree, official, other_reviewer):
    reports = submitted_reports(tree, official, 2)
    client = client_for(other_reviewer)
    response = apply(client, [r.pk for r in reports])
    assert response.status_code == 302
    assert "0 approved, 2 refused." in client.get(response.url).content.decode()
    assert set(statuses(reports).values()) == {Status.SUBMITTED}
    assert not ReviewEvent.objects.filter(by=other_reviewer).exists()


def test_in_a_province_of_two_levels_each_reviewer_takes_their_own_step_in_bulk(client_for, tree, official, reviewer):
    """The prefecture's bulk "approve" is its first review; the province's, given to the same reports, approves."""
    ProvinceApprovalPolicy.objects.create(province=tree.province, levels=2)
    prefecture_reviewer = make_user("bulk_prefecture_reviewer", REVIEWERS, [tree.prefecture])
    reports = submitted_reports(tree, official, 3)
    ids = [report.pk for report in reports]

    page = confirm(client_for(prefecture_reviewer), ids)
    assert page.status_code == 200 and "it will be refused" not in page.content.decode()
    apply(client_for(prefecture_reviewer), ids)
    assert set(statuses(reports).values()) == {Status.FIRST_PASSED}
    assert not Assessment.objects.filter(report__in=reports).exists()

    page = confirm(client_for(reviewer), ids)
    assert page.status_code == 200 and "it will be refused" not in page.content.decode()
    apply(client_for(reviewer), ids)
    assert set(statuses(reports).values()) == {Status.APPROVED}
    assert Assessment.objects.filter(report__in=reports).count() == 3


def test_the_queue_and_the_confirmation_carry_report_ids_past_999_unlocalised(client_for, tree, official, reviewer):
    """The site groups thousands (USE_THOUSAND_SEPARATOR); PostgreSQL's sequences pass 999 in any long-lived
    database, and a checkbox's value "12,345" would select nothing."""
    report = report_submit(report=AnnualReportFactory(id=12345, village=VillageFactory(township=tree.town),
                                                      year=2023), by=official)
    client = client_for(reviewer)

    assert 'name="report" value="12345"' in client.get(reverse("villages:review_queue")).content.decode()
    page = confirm(client, [report.pk, 99999]).content.decode()
    assert 'data-report="12345"' in page and "report no. 99999" in page
