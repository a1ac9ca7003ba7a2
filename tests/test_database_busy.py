"""A busy database answers 503 with Retry-After and says the registry is busy: web pages and the API alike."""

import sqlite3
from contextlib import contextmanager

import psycopg
import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from rest_framework.test import APIClient

from taobao_site.middleware import RETRY_AFTER_SECONDS, is_database_busy
from tests.factories import VillageFactory
from villages.models import Village

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single-writer lock")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row locks")


def driver_error(cause) -> OperationalError:
    """The OperationalError Django raises for a driver error (its cause, as Django's error wrapper chains it)."""
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def sqlite_error(code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(
    "cause",
    [
        psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
        psycopg.errors.SerializationFailure("could not serialize access due to concurrent update"),
        psycopg.errors.DeadlockDetected("deadlock detected"),
        sqlite_error(sqlite3.SQLITE_BUSY),
        sqlite_error(sqlite3.SQLITE_LOCKED),
        sqlite_error(517),  # SQLITE_BUSY_SNAPSHOT
    ],
    ids=lambda cause: type(cause).__name__ + str(getattr(cause, "sqlite_errorcode", "")),
)
def test_locks_and_aborted_transactions_count_as_busy(cause):
    assert is_database_busy(driver_error(cause))


@pytest.mark.parametrize(
    "error",
    [
        driver_error(sqlite_error(sqlite3.SQLITE_ERROR)),
        driver_error(psycopg.errors.UndefinedTable("relation does not exist")),
        OperationalError("no driver error behind it"),
        ValueError("not a database error"),
    ],
)
def test_other_errors_are_not_busy(error):
    assert not is_database_busy(error)


@contextmanager
def sqlite_write_lock_held_elsewhere():
    """Another process's write transaction on the test database, and a busy timeout of 50 ms for ours."""
    connection.ensure_connection()
    connection.connection.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
        connection.close()


def api_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def village_form(village, tree, name):
    return {"version": village.version, "township": tree.town.code, "code": village.code, "name": name,
            "households": "800"}


@on_sqlite
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_that_writes_while_sqlite_is_locked_answers_503_in_the_request_language(client_for, official, tree):
    village = VillageFactory(township=tree.town, name="原名村")
    client = client_for(official)
    with sqlite_write_lock_held_elsewhere():
        response = client.post(reverse("villages:village_edit", args=[village.code]),
                               village_form(village, tree, "新名村"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/plain")
    assert "The registry is busy" in response.content.decode()
    assert Village.objects.get(pk=village.pk).name == "原名村"


@on_sqlite
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_api_write_while_sqlite_is_locked_answers_a_json_503(official, tree):
    village = VillageFactory(township=tree.town)
    with sqlite_write_lock_held_elsewhere():
        response = api_for(official).patch(
            f"/api/v1/villages/{village.code}/", {"households": 901, "version": village.version}, format="json")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "The registry is busy" in response.json()["detail"]


@on_sqlite
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reads_go_on_while_sqlite_is_locked(client, tree):
    with sqlite_write_lock_held_elsewhere():
        assert client.get(reverse("villages:dashboard")).status_code == 200


@contextmanager
def postgresql_row_locked_elsewhere(table: str, pk):
    """Another session holding a row lock, and a lock timeout of 50 ms for ours."""
    settings = connection.settings_dict
    other = psycopg.connect(dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"],
                            port=settings["PORT"] or 5432, password=settings["PASSWORD"] or None)
    other.execute(f'SELECT 1 FROM "{table}" WHERE id = %s FOR UPDATE', [pk])
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '50ms'")
    try:
        yield
    finally:
        other.rollback()
        other.close()
        connection.close()


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lock_timeout_on_postgresql_answers_503_for_pages_and_the_api(client_for, official, tree):
    village = VillageFactory(township=tree.town, name="原名村")
    with postgresql_row_locked_elsewhere(Village._meta.db_table, village.pk):
        page = client_for(official).post(reverse("villages:village_edit", args=[village.code]),
                                         village_form(village, tree, "新名村"))
    with postgresql_row_locked_elsewhere(Village._meta.db_table, village.pk):
        api = api_for(official).patch(
            f"/api/v1/villages/{village.code}/", {"households": 901, "version": village.version}, format="json")
    assert (page.status_code, api.status_code) == (503, 503)
    assert page["Retry-After"] == api["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "The registry is busy" in api.json()["detail"]
    assert Village.objects.get(pk=village.pk).name == "原名村"
