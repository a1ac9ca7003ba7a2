"""Production settings pass `manage.py check --deploy` with no warning, and send the security headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def production_environment(**overrides):
    environment = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "taobao_site.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "registry.example.gov.cn",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/registry_check",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            **overrides,
        }
    )
    return environment


def run_manage(*args, **overrides):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=production_environment(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issue_with_production_settings():
    result = run_manage("check", "--deploy")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout + result.stderr


def test_check_deploy_warns_when_the_ssl_redirect_is_turned_off():
    result = run_manage("check", "--deploy", SECURE_SSL_REDIRECT="false")

    assert "security.W008" in result.stdout + result.stderr


PRINT_SECURITY_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT, "
    "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], s.CSRF_TRUSTED_ORIGINS)"
)


def test_security_settings_and_the_shared_cache_come_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        PRINT_SECURITY_SETTINGS,
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_PRELOAD="false",
        REDIS_URL="redis://cache.internal:6380/2",
        CSRF_TRUSTED_ORIGINS="https://registry.example.gov.cn",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == (
        "600 True False True taobao_site.cache.RegistryRedisCache redis://cache.internal:6380/2 "
        "['https://registry.example.gov.cn']"
    )
