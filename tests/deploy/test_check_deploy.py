"""Django's deployment checklist with production settings and exactly the stack's environment."""

import os
import subprocess
import sys

import pytest

from tests.deploy.conftest import ROOT

pytestmark = pytest.mark.deploy


def test_check_deploy_finds_no_issues_with_the_stacks_environment(stack_app_env):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env={**os.environ, **stack_app_env},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
