"""Production settings refuse to start without their secrets; with them, Django's checks pass."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def run_manage(*args, **environment):
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    env.update({"DJANGO_SETTINGS_MODULE": "taobao_site.settings.production", **environment})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage("check", ALLOWED_HOSTS="registry.example.gov.cn", DATABASE_URL=f"sqlite:///{tmp_path}/p.db")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_its_settings_from_the_environment(tmp_path):
    result = run_manage(
        "check",
        SECRET_KEY="a-long-production-secret-for-the-check-only-0123456789",
        ALLOWED_HOSTS="registry.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path}/p.db",
    )
    assert result.returncode == 0, result.stderr
