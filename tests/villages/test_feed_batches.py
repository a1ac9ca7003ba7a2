"""Feed batches below the API: the same results on SQLite and PostgreSQL, the background run, the sweep, the admin."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from taobao_site.feed_authentication import feed_key_digest
from tests.factories import VillageFactory
from tests.feed_clients import csv_body, issue_token, make_feed_user, ndjson, shop_row
from villages.feed.batches import feed_batch_run
from villages.feed.rows import CSV, NDJSON
from villages.models import FeedBatch, FeedToken, PlatformShopYear
from villages.services.feed import feed_batch_post, feed_batches_interrupt_stale


@pytest.fixture
def villages(tree):
    return [VillageFactory(township=tree.town, code=f"371721121{200 + number}") for number in range(3)]


@pytest.fixture
def token(db):
    return issue_token(make_feed_user())[0]


def post(token, rows, *, file_format=NDJSON, year=None, kind=FeedBatch.Kind.SHOP_YEARS):
    body = ndjson(rows) if file_format == NDJSON else csv_body(rows)
    return feed_batch_post(token=token, kind=kind, body=io.BytesIO(body), file_format=file_format, year=year)


def counts(batch):
    return batch.status, batch.created_count, batch.updated_count, batch.unchanged_count


def test_new_updated_and_unchanged_rows_are_counted_alike_on_every_database(token, villages):
    first = [shop_row(villages[number % 3], number) for number in range(700)]
    assert counts(post(token, first)) == ("applied", 700, 0, 0)
    second = [dict(row) for row in first]
    for row in second[:50]:
        row["sales"] += 1
    for row in second[50:60]:
        row["village_code"] = villages[2].code if row["village_code"] != villages[2].code else villages[0].code
    second += [shop_row(villages[0], 1000 + number) for number in range(25)]
    assert counts(post(token, second, file_format=CSV)) == ("applied", 25, 60, 640)
    assert counts(post(token, second)) == ("applied", 0, 0, 725)
    stored = {shop.platform_shop_id: shop for shop in PlatformShopYear.objects.select_related("village")}
    assert len(stored) == 725
    assert stored["tb-00000"].sales == 100_001
    assert stored["tb-00055"].village.code == second[55]["village_code"]
    assert stored["tb-00100"].sales == 100_100


def test_on_postgresql_a_batch_is_one_copy_and_one_upsert(token, villages):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    size = 300
    rows = [shop_row(villages[0], number) for number in range(size)]
    with CaptureQueriesContext(connection) as queries:
        batch = post(token, rows)
    assert batch.created_count == size
    upserts = [query["sql"] for query in queries if "ON CONFLICT" in query["sql"]]
    assert len(upserts) == 1 and "IS DISTINCT FROM" in upserts[0]
    assert not [query for query in queries if query["sql"].startswith('INSERT INTO "villages_platformshopyear"')]


def test_an_invalid_row_late_in_a_big_batch_rolls_back_the_rows_before_it(token, villages):
    rows = [shop_row(villages[0], number) for number in range(12_000)]
    rows[-1]["platform"] = "nowhere"
    batch = post(token, rows)
    assert batch.status == FeedBatch.Status.REJECTED and batch.invalid_count == 1 and batch.row_count == 12_000
    assert batch.errors[0]["row"] == 12_000 and batch.errors[0]["column"] == "platform"
    assert not PlatformShopYear.objects.exists()


def test_a_stored_batch_runs_in_the_background_task(token, villages, settings, django_capture_on_commit_callbacks):
    settings.FEED_BACKGROUND_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):
        batch = post(token, [shop_row(villages[0], number) for number in range(20)])
    batch.refresh_from_db()
    assert batch.file and batch.task_id
    assert counts(batch) == ("applied", 20, 0, 0)
    assert feed_batch_run(batch_id=batch.pk).status == FeedBatch.Status.APPLIED  # a second run claims nothing
    assert PlatformShopYear.objects.count() == 20


def test_the_sweep_interrupts_batches_without_a_heartbeat_and_spares_live_ones(token):
    old = timezone.now() - datetime.timedelta(minutes=10)
    lost = FeedBatch.objects.create(token=token, posted_by=token.user, kind="shop_years",
                                    status=FeedBatch.Status.RUNNING, heartbeat_at=old)
    alive = FeedBatch.objects.create(token=token, posted_by=token.user, kind="shop_years",
                                     status=FeedBatch.Status.RUNNING)
    assert feed_batches_interrupt_stale(older_than=datetime.timedelta(minutes=2)) == 1
    lost.refresh_from_db()
    alive.refresh_from_db()
    assert lost.status == FeedBatch.Status.INTERRUPTED and "nothing was changed" in lost.message
    assert alive.status == FeedBatch.Status.RUNNING


def test_a_token_is_not_issued_outside_the_data_feed_role(official):
    with pytest.raises(Exception, match="data-feed group"):
        issue_token(official)


def test_the_admin_issues_a_token_showing_its_secret_once_and_revokes_it_with_a_reason(superuser, client_for):
    feed_user = make_feed_user()
    client = client_for(superuser)
    response = client.post(reverse("admin:villages_feedtoken_add"), {
        "user": feed_user.pk, "label": "Taobao data team",
        "expires_on": (datetime.date.today() + datetime.timedelta(days=30)).isoformat()}, follow=True)
    token = FeedToken.objects.get()
    shown = [str(message) for message in response.context["messages"]]
    secret = next(text.split(": ", 1)[1].split(" ")[0] for text in shown if "shown only this once" in text)
    assert token.key_digest == feed_key_digest(secret) and secret not in str(FeedToken.objects.values().get())
    assert token.created_by == superuser
    assert secret not in client.get(reverse("admin:villages_feedtoken_change", args=[token.pk])).content.decode()
    client.post(reverse("admin:villages_feedtoken_changelist"), {
        "action": "revoke_tokens", "_selected_action": [token.pk], "apply": "1", "reason": "contract ended"})
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_reason == "contract ended"


def test_the_admin_refuses_a_token_for_a_staff_user(superuser, client_for):
    feed_user = make_feed_user()
    feed_user.is_staff = True
    feed_user.save()
    client = client_for(superuser)
    response = client.post(reverse("admin:villages_feedtoken_add"), {
        "user": feed_user.pk, "label": "x", "expires_on": datetime.date.today().isoformat()})
    assert response.status_code == 200 and not FeedToken.objects.exists()


def test_a_batch_naming_thousands_of_villages_looks_them_up_in_chunks(token, tree, django_assert_max_num_queries):
    from villages.imports.bulk_writes import insert_rows
    from villages.models import Village

    codes = [f"371721121{number:03d}" for number in range(200, 1000)] + [
        f"371721001{number:03d}" for number in range(200, 1000)]
    insert_rows(Village, ["code", "name", "township", "committee_type"],
                [(code, f"村{code}", code[:9], "village_committee") for code in codes])
    rows = [shop_row(Village(code=code), number) for number, code in enumerate(codes)]
    with django_assert_max_num_queries(40):
        batch = post(token, rows)
    assert counts(batch) == ("applied", 1600, 0, 0)
