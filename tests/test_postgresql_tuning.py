"""PostgreSQL connections are opened with the index lookup priced for memory and SSDs (`DATABASE_RANDOM_PAGE_COST`)."""

import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from taobao_site.settings.base import database_from_env

# Parsed only: the connected test uses the server of the PostgreSQL leg.
SERVER = "postgres://postgres@127.0.0.1:5432/registry"


def _connected_setting(settings_dict, django_db_blocker) -> str:
    from django.db.backends.postgresql.base import DatabaseWrapper

    connection_settings = {"TIME_ZONE": None, "AUTOCOMMIT": True, "CONN_HEALTH_CHECKS": False, "CONN_MAX_AGE": 0}
    wrapper = DatabaseWrapper({**settings_dict, **connection_settings, "NAME": "postgres"})
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("SHOW random_page_cost")
                return cursor.fetchone()[0]
        finally:
            wrapper.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Runs in the PostgreSQL leg, on its server.")
@pytest.mark.parametrize("given, expected", [(None, "1.1"), ("2", "2")])
def test_a_postgresql_connection_prices_index_lookups_as_configured(monkeypatch, django_db_blocker, given, expected):
    monkeypatch.setenv("DATABASE_URL", os.environ["DATABASE_URL"])
    if given is None:
        monkeypatch.delenv("DATABASE_RANDOM_PAGE_COST", raising=False)
    else:
        monkeypatch.setenv("DATABASE_RANDOM_PAGE_COST", given)
    assert _connected_setting(database_from_env("sqlite:///unused.sqlite3"), django_db_blocker) == expected


def test_empty_leaves_the_servers_setting_and_other_options_stay(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", SERVER)
    monkeypatch.setenv("DATABASE_RANDOM_PAGE_COST", "")
    assert "options" not in database_from_env("sqlite:///unused.sqlite3").get("OPTIONS", {})
    monkeypatch.setenv("DATABASE_RANDOM_PAGE_COST", "1.5")
    monkeypatch.setenv("DATABASE_URL", f"{SERVER}?options=-c%20statement_timeout%3D5000")
    options = database_from_env("sqlite:///unused.sqlite3")["OPTIONS"]["options"]
    assert options == "-c statement_timeout=5000 -c random_page_cost=1.5"


def test_sqlite_gets_no_postgresql_option(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/registry.sqlite3")
    assert "options" not in database_from_env("sqlite:///unused.sqlite3")["OPTIONS"]


@pytest.mark.parametrize("value", ["fast", "-1", "nan", "inf", "1e400"])
def test_a_value_postgresql_would_refuse_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("DATABASE_URL", SERVER)
    monkeypatch.setenv("DATABASE_RANDOM_PAGE_COST", value)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_RANDOM_PAGE_COST must be a number of 0 or more"):
        database_from_env("sqlite:///unused.sqlite3")


def test_zero_is_a_cost_postgresql_accepts(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", SERVER)
    monkeypatch.setenv("DATABASE_RANDOM_PAGE_COST", "0")
    assert database_from_env("sqlite:///unused.sqlite3")["OPTIONS"]["options"] == "-c random_page_cost=0.0"
