"""The imports API: multipart upload with dry_run, job detail, confirm, errors CSV, templates."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from villages.models import ImportJob, Village
from villages.services.imports import import_job_create, import_jobs_interrupt_stale


def upload(text, name="villages.csv"):
    return SimpleUploadedFile(name, text.encode("gb18030"), content_type="text/csv")


GOOD = "村代码,名称,户数\n371721121227,丁楼村,800\n371721121211,张庄村,600\n"


@pytest.mark.django_db
def test_dry_run_then_confirm_through_the_api(official, client_for, tree):
    client = client_for(official)
    response = client.post("/api/v1/imports/", {"kind": "villages", "file": upload(GOOD), "dry_run": "true"})
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["status"], job["created_count"], job["invalid_count"]) == ("validated", 2, 0)
    assert Village.objects.count() == 0
    assert client.get(f"/api/v1/imports/{job['id']}/").json()["status"] == "validated"
    confirmed = client.post(f"/api/v1/imports/{job['id']}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "applied"
    assert Village.objects.count() == 2
    assert client.post(f"/api/v1/imports/{job['id']}/confirm/").status_code == 409


@pytest.mark.django_db
def test_invalid_rows_are_listed_and_downloadable(official, client_for, tree):
    client = client_for(official)
    text = "code,name\n371721121227,丁楼村\n320324109200,外县村\n"
    job = client.post("/api/v1/imports/", {"kind": "villages", "file": upload(text), "dry_run": "false"}).json()
    assert job["status"] == "rejected"
    assert job["errors"][0]["row"] == 3
    errors_csv = client.get(f"/api/v1/imports/{job['id']}/errors.csv").content.decode("utf-8-sig")
    assert "320324109200" in errors_csv
    assert Village.objects.count() == 0


@pytest.mark.django_db
def test_bad_kind_and_bad_file_are_400(official, client_for, tree):
    client = client_for(official)
    assert client.post("/api/v1/imports/", {"kind": "planets", "file": upload(GOOD)}).status_code == 400
    response = client.post("/api/v1/imports/", {"kind": "villages", "file": upload("颜色\n红\n")})
    assert response.status_code == 201
    assert response.json()["status"] == "failed"


@pytest.mark.django_db
def test_jobs_of_others_are_404_and_anonymous_is_401(official, other_official, client_for, client, tree):
    job = client_for(official).post("/api/v1/imports/", {"kind": "villages", "file": upload(GOOD)}).json()
    assert client_for(other_official).get(f"/api/v1/imports/{job['id']}/").status_code == 404
    assert client.post("/api/v1/imports/", {"kind": "villages", "file": upload(GOOD)}).status_code == 401
    assert not Village.objects.exists()


@pytest.mark.django_db
def test_reviewer_upload_is_403(reviewer, client_for, tree):
    response = client_for(reviewer).post("/api/v1/imports/", {"kind": "villages", "file": upload(GOOD)})
    assert response.status_code == 403


@pytest.mark.django_db
def test_templates_download(official, client_for):
    response = client_for(official).get("/api/v1/imports/templates/shops.csv", {"language": "en"})
    assert response.content.decode("utf-8-sig").startswith("Village code,Platform")


@pytest.mark.django_db
def test_staff_page_upload_and_confirm(official, client_for, tree):
    client = client_for(official)
    assert client.get("/imports/").status_code == 200
    response = client.post("/imports/", {"kind": "villages", "file": upload(GOOD), "dry_run": "on"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    # The dry run writes nothing; its page previews the rows it would create (issue 19, item 5).
    assert page.status_code == 200 and Village.objects.count() == 0
    assert 'id="import-preview"' in page.content.decode() and "丁楼村" in page.content.decode()
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    client.post(f"/imports/{job_id}/confirm/")
    assert Village.objects.count() == 2


@pytest.mark.django_db
def test_admin_lists_jobs_and_links_the_upload(administrator, client_for):
    client = client_for(administrator)
    administrator.is_staff = True
    administrator.save()
    page = client.get("/admin/villages/importjob/")
    assert page.status_code == 200
    assert "/admin/villages/importjob/upload/" in page.content.decode()
    assert client.get("/admin/villages/importjob/upload/").status_code == 200


def crashed_apply(user):
    """An apply whose runner died: RUNNING, its last heartbeat ten minutes ago."""
    job = import_job_create(user=user, kind="villages", uploaded_file=upload(GOOD))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, dry_run=False, heartbeat_at=timezone.now() - timedelta(minutes=10))
    return job


@pytest.mark.django_db
def test_the_api_shows_an_interrupted_job_and_retries_it(official, client_for, client):
    job = crashed_apply(official)
    import_jobs_interrupt_stale(older_than=timedelta(seconds=120))
    api = client_for(official)
    shown = api.get(f"/api/v1/imports/{job.pk}/").json()
    assert shown["status"] == "interrupted" and "interrupted" not in shown["message"]
    assert shown["heartbeat_at"] and shown["started_at"]
    assert client.post(f"/api/v1/imports/{job.pk}/retry/").status_code == 401
    retried = api.post(f"/api/v1/imports/{job.pk}/retry/")
    assert retried.status_code == 200, retried.content
    assert retried.json()["status"] == "applied" and Village.objects.count() == 2
    assert api.post(f"/api/v1/imports/{job.pk}/retry/").status_code == 409


@pytest.mark.django_db
def test_another_officials_job_cannot_be_retried_through_the_api(official, other_official, client_for):
    job = crashed_apply(official)
    import_jobs_interrupt_stale(older_than=timedelta(seconds=120))
    assert client_for(other_official).post(f"/api/v1/imports/{job.pk}/retry/").status_code == 404


@pytest.mark.django_db
def test_the_imports_list_is_paginated_like_every_list(official, client_for):
    for _ in range(3):
        import_job_create(user=official, kind="villages", uploaded_file=upload(GOOD))
    page = client_for(official).get("/api/v1/imports/", {"page_size": 2}).json()
    assert set(page) >= {"count", "next", "previous", "results"}
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert page["results"][0]["id"] > page["results"][1]["id"]


def test_the_retry_route_is_in_the_schema(client):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert "/api/v1/imports/{id}/retry/" in paths
    listed = paths["/api/v1/imports/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "Paginated" in listed["$ref"]
