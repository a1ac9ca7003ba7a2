"""Fixtures of the deploy tests: the live stack of `deploy/stack.sh start`, reached through nginx over TLS.

The tests are marked `deploy`, left out of the default run, and selected with `pytest -m deploy tests/deploy`
(the deploy leg of .ci/run). Selected without a running stack, they fail: STACK_URL names it, and the files
`deploy/stack.sh` writes in STACK_DIR (default var/stack) say how it was started.
"""

import http.cookiejar
import json
import os
import ssl
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import psycopg
import pytest

# The deploy leg reuses the browser tests' Chromium launch (same executable, same arguments) and screenshots.
from tests.browser.conftest import browser, screenshot  # noqa: F401
from villages.demo_data import DEMO_ACCOUNTS, DEMO_VILLAGES, demo_password
from villages.models import ADMINISTRATORS, COUNTY_OFFICIALS, REVIEWERS

ROOT = Path(__file__).resolve().parent.parent.parent
STACK_DIR = Path(os.environ.get("STACK_DIR", ROOT / "var" / "stack"))
START_THE_STACK = "start it with `deploy/stack.sh start` and run `STACK_URL=https://127.0.0.1:8443 pytest -m deploy`"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as deploy/stack.sh writes them (never evaluated, so a value may hold any character)."""
    if not path.exists():
        pytest.fail(f"{path} is missing, so the stack is not running: {START_THE_STACK}")
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line)


@dataclass(frozen=True)
class StackResponse:
    """One answer of the stack, whatever its status (redirects are answers too, never followed)."""

    url: str
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def is_html(self) -> bool:
        return self.headers.get("Content-Type", "").startswith("text/html")


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Hands a 3xx back as the response, so a test sees exactly what the stack answered."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class StackClient:
    """A client with its own cookies, speaking to one base URL; over TLS it trusts only the stack's certificate."""

    def __init__(self, base_url: str, *, ssl_context: ssl.SSLContext | None = None, headers: dict | None = None):
        self.base_url = base_url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.headers = headers or {}
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=ssl_context),
            urllib.request.HTTPCookieProcessor(self.cookies),
            KeepRedirects(),
        )

    def request(
        self,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict | None = None,
        method: str | None = None,
        timeout: float = 60,
    ) -> StackResponse:
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        request = urllib.request.Request(url, data=data, headers={**self.headers, **(headers or {})}, method=method)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return StackResponse(url, response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return StackResponse(url, error.code, error.headers, error.read())

    def get(self, path: str, *, headers: dict | None = None) -> StackResponse:
        return self.request(path, headers=headers)

    def send_json(
        self, method: str, path: str, body, *, token: str | None = None, timeout: float = 60
    ) -> StackResponse:
        """An API call with a JSON body, authenticated by `token` when one is given."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        return self.request(path, data=json.dumps(body).encode(), headers=headers, method=method, timeout=timeout)

    def post_form(self, path: str, fields: dict[str, str]) -> StackResponse:
        """A form post as a browser sends it: the CSRF cookie's token, and the page's origin."""
        token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.base_url,
            "Referer": self.base_url + path,
        }
        return self.request(path, data=body, headers=headers)

    def log_in(self, username: str, password: str) -> None:
        form = self.get("/accounts/login/")
        assert form.status == 200, f"the login page answered {form.status}"
        answer = self.post_form("/accounts/login/", {"username": username, "password": password})
        assert answer.status == 302, f"logging in as {username} answered {answer.status}, not a redirect"


@pytest.fixture(scope="session")
def stack_url() -> str:
    url = os.environ.get("STACK_URL")
    if not url:
        pytest.fail(f"STACK_URL is not set, so the deploy tests have no stack to test: {START_THE_STACK}")
    return url.rstrip("/")


@pytest.fixture(scope="session")
def stack_layout(stack_url) -> dict[str, str]:
    """Where the stack answers: STACK_URL, STACK_HTTP_URL, STACK_APP_SERVERS (the app servers, comma-separated)."""
    return read_env_file(STACK_DIR / "stack.env")


@pytest.fixture(scope="session")
def stack_app_env(stack_url) -> dict[str, str]:
    """The environment the stack gives its app servers and worker (production settings)."""
    return read_env_file(STACK_DIR / "app.env")


@pytest.fixture(scope="session")
def stack_ssl_context(stack_url) -> ssl.SSLContext:
    certificate = STACK_DIR / "tls" / "cert.pem"
    if not certificate.exists():
        pytest.fail(f"{certificate} is missing: {START_THE_STACK}")
    return ssl.create_default_context(cafile=str(certificate))


@pytest.fixture(scope="session")
def demo_accounts() -> dict[str, str]:
    """The username of the first demo account in each role (load_demo made them; `manage.py demo_accounts`)."""
    accounts = {}
    for account in DEMO_ACCOUNTS:
        accounts.setdefault(account.role, account.username)
    return {
        "official": accounts[COUNTY_OFFICIALS],
        "reviewer": accounts[REVIEWERS],
        "administrator": accounts[ADMINISTRATORS],
    }


@pytest.fixture(scope="session")
def stack_demo_password() -> str:
    """The demo password the stack's `load_demo` used: DEMO_PASSWORD, or the default `taobao-demo`."""
    return demo_password()


@pytest.fixture(scope="session")
def official_village_code(demo_accounts) -> str:
    """A demo village inside the county of the demo county official."""
    official = next(account for account in DEMO_ACCOUNTS if account.username == demo_accounts["official"])
    return next(village.code for village in DEMO_VILLAGES if village.code.startswith(official.division_codes[0]))


@pytest.fixture(scope="session")
def anonymous_client(stack_url, stack_ssl_context) -> StackClient:
    return StackClient(stack_url, ssl_context=stack_ssl_context)


@pytest.fixture(scope="session")
def client_as(stack_url, stack_ssl_context, demo_accounts, stack_demo_password):
    """client_as("official" | "reviewer" | "administrator"): a client logged in as that demo account."""
    clients = {}

    def logged_in(role: str) -> StackClient:
        if role not in clients:
            client = StackClient(stack_url, ssl_context=stack_ssl_context)
            client.log_in(demo_accounts[role], stack_demo_password)
            clients[role] = client
        return clients[role]

    return logged_in


def run_stack_command(*arguments: str) -> None:
    """`deploy/stack.sh ARGUMENTS` on the running stack (start-app N, stop-worker, ...); fails the test if it fails."""
    finished = subprocess.run(
        [str(ROOT / "deploy" / "stack.sh"), *arguments],
        env={**os.environ, "STACK_DIR": str(STACK_DIR)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    command = " ".join(arguments)
    assert finished.returncode == 0, f"deploy/stack.sh {command} failed:\n{finished.stdout}{finished.stderr}"


@pytest.fixture(scope="session")
def stack_manage(stack_app_env):
    """stack_manage(*arguments): `manage.py ARGUMENTS` with the stack's environment; returns what it printed."""

    def manage(*arguments: str) -> str:
        finished = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *arguments],
            cwd=ROOT,
            env={**os.environ, **stack_app_env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert finished.returncode == 0, f"manage.py {' '.join(arguments)} failed:\n{finished.stdout}{finished.stderr}"
        return finished.stdout

    return manage


@pytest.fixture(scope="session")
def stack_setting(stack_manage):
    """stack_setting(NAME): the value of a Django setting as the stack's processes see it (production settings)."""

    def setting(name: str):
        program = f"import json; from django.conf import settings; print(json.dumps(getattr(settings, {name!r})))"
        return json.loads(stack_manage("shell", "--no-imports", "-c", program).splitlines()[-1])

    return setting


@pytest.fixture
def stack_database(stack_app_env):
    """A connection to the stack's PostgreSQL database, for reading back what the stack wrote."""
    with psycopg.connect(stack_app_env["DATABASE_URL"], autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="session")
def api_token(anonymous_client, demo_accounts, stack_demo_password):
    """api_token("official" | "reviewer" | "administrator"): that demo account's API token, from auth/token/."""
    tokens = {}

    def token(role: str) -> str:
        if role not in tokens:
            credentials = {"username": demo_accounts[role], "password": stack_demo_password}
            answer = anonymous_client.send_json("POST", "/api/v1/auth/token/", credentials)
            assert answer.status == 200, f"the token of {demo_accounts[role]} answered {answer.status}: {answer.text}"
            tokens[role] = json.loads(answer.body)["token"]
        return tokens[role]

    return token
