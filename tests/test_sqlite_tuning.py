"""The embedded SQLite database is opened tuned for a web app: WAL, synchronous=NORMAL, foreign keys, waits."""

from django.db.backends.sqlite3.base import DatabaseWrapper

from taobao_site.settings.base import database_from_env


def test_a_file_database_gets_the_web_app_pragmas(tmp_path, monkeypatch, django_db_blocker):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/registry.sqlite3")
    settings_dict = database_from_env("sqlite:///unused.sqlite3")
    assert settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    connection_settings = {"TIME_ZONE": None, "AUTOCOMMIT": True, "CONN_HEALTH_CHECKS": False, "CONN_MAX_AGE": 0}
    wrapper = DatabaseWrapper({**settings_dict, **connection_settings})
    pragmas = {}
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
                    cursor.execute(f"PRAGMA {name}")
                    pragmas[name] = cursor.fetchone()[0]
        finally:
            wrapper.close()
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "busy_timeout": 20000}
