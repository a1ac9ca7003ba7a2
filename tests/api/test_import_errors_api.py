"""The imports and exports API raise into the one handler: its 400 and 409 bodies, in API.md's shapes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

GOOD = "村代码,名称,户数\n371721121227,丁楼村,800\n"


def upload():
    return SimpleUploadedFile("villages.csv", GOOD.encode("gb18030"), content_type="text/csv")


@pytest.mark.django_db
def test_a_file_over_the_limit_is_a_400_naming_the_file_field(official, client_for, tree, settings):
    settings.IMPORT_MAX_FILE_BYTES = 10
    response = client_for(official).post("/api/v1/imports/", {"kind": "villages", "file": upload()})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["file"] and "the limit is" in body["file"][0]


@pytest.mark.django_db
def test_confirming_an_applied_import_is_a_409_with_a_detail(official, client_for, tree):
    client = client_for(official)
    job = client.post("/api/v1/imports/", {"kind": "villages", "file": upload(), "dry_run": "false"}).json()
    response = client.post(f"/api/v1/imports/{job['id']}/confirm/")
    assert response.status_code == 409
    assert list(response.json()) == ["detail"] and "dry run" in response.json()["detail"]


@pytest.mark.django_db
def test_an_invalid_export_filter_is_a_400_naming_the_filter(official, client_for, tree):
    response = client_for(official).get("/api/v1/exports/reports.csv", {"year": "1800"})
    assert response.status_code == 400
    assert list(response.json()) == ["year"]
