"""Login protection (django-axes): lockout per username and address on the web, admin and API logins."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.test import APIClient

from tests.factories import UserFactory

PASSWORD = "secret-pass-123"
WRONG = "not-the-password"
ENGLISH_MESSAGE = "Too many failed logins for this account from your address"
CHINESE_MESSAGE = "该账号从您的地址登录失败次数过多"
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "taobao_site.cache.RegistryRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk")


def web_login(client, path, username, password, address="127.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def token_login(client, username, password, address="127.0.0.1"):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def fail_until_locked(login, wrong_password_status=200):
    """AXES_FAILURE_LIMIT wrong passwords: each refused as wrong, and the last one locks."""
    answers = [login(WRONG) for _attempt in range(settings.AXES_FAILURE_LIMIT)]
    assert [answer.status_code for answer in answers] == [wrong_password_status] * (settings.AXES_FAILURE_LIMIT - 1) + [
        429
    ]
    return answers[-1]


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize(("language", "message"), [("en", ENGLISH_MESSAGE), ("zh-hans", CHINESE_MESSAGE)])
def test_web_login_refuses_the_right_password_after_too_many_wrong_ones(clerk, language, message):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    fail_until_locked(lambda password: web_login(client, "/accounts/login/", "clerk", password))

    answer = web_login(client, "/accounts/login/", "clerk", PASSWORD)

    assert answer.status_code == 429
    assert int(answer["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert message in answer.content.decode()
    assert 'class="site-header"' in answer.content.decode()  # the site's own layout
    assert not logged_in(client)


@pytest.mark.parametrize(("language", "message"), [("en", ENGLISH_MESSAGE), ("zh-hans", CHINESE_MESSAGE)])
def test_admin_login_refuses_the_right_password_after_too_many_wrong_ones(administrator, language, message):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    fail_until_locked(lambda password: web_login(client, "/admin/login/", "administrator", password))

    answer = web_login(client, "/admin/login/", "administrator", PASSWORD)

    assert answer.status_code == 429
    assert message in answer.content.decode()
    assert not logged_in(client)


@pytest.mark.parametrize(("language", "message"), [("en", ENGLISH_MESSAGE), ("zh-hans", CHINESE_MESSAGE)])
def test_token_endpoint_answers_429_with_retry_after_after_too_many_wrong_passwords(clerk, language, message):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    fail_until_locked(lambda password: token_login(client, "clerk", password), wrong_password_status=400)

    answer = token_login(client, "clerk", PASSWORD)

    assert answer.status_code == 429
    assert int(answer["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert set(answer.json()) == {"detail"}
    assert message in answer.json()["detail"]
    assert "token" not in answer.json()


def test_one_lockout_covers_the_web_admin_and_api_logins(administrator):
    fail_until_locked(lambda password: web_login(Client(), "/accounts/login/", "administrator", password))

    assert web_login(Client(), "/admin/login/", "administrator", PASSWORD).status_code == 429
    assert token_login(APIClient(), "administrator", PASSWORD).status_code == 429


def test_lockout_is_per_username_and_address(clerk):
    UserFactory(username="colleague")
    fail_until_locked(lambda password: web_login(Client(), "/accounts/login/", "clerk", password))

    from_elsewhere = Client()
    assert web_login(from_elsewhere, "/accounts/login/", "clerk", PASSWORD, address="10.0.0.2").status_code == 302
    assert logged_in(from_elsewhere)
    assert token_login(APIClient(), "colleague", PASSWORD).status_code == 200
    assert token_login(APIClient(), "clerk", PASSWORD, address="10.0.0.3").status_code == 200


def test_failures_below_the_limit_do_not_lock_and_a_success_clears_them(clerk):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        web_login(client, "/accounts/login/", "clerk", WRONG)
    assert web_login(client, "/accounts/login/", "clerk", PASSWORD).status_code == 302

    assert web_login(Client(), "/accounts/login/", "clerk", WRONG).status_code == 200
    assert token_login(APIClient(), "clerk", PASSWORD).status_code == 200


def test_every_failure_and_the_lockout_are_recorded(clerk):
    fail_until_locked(lambda password: web_login(Client(), "/accounts/login/", "clerk", password))

    attempt = AccessAttempt.objects.get(username="clerk", ip_address="127.0.0.1")
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    failures = AccessFailureLog.objects.filter(username="clerk", ip_address="127.0.0.1")
    assert failures.count() == settings.AXES_FAILURE_LIMIT
    assert failures.filter(locked_out=True).count() == 1


def test_an_administrator_unlocks_from_the_admin(clerk, administrator, client_for):
    fail_until_locked(lambda password: web_login(Client(), "/accounts/login/", "clerk", password))
    attempt = AccessAttempt.objects.get(username="clerk")
    admin_client = client_for(administrator)

    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "clerk" in listing.content.decode()
    deleted = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert deleted.status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk").exists()
    assert web_login(Client(), "/accounts/login/", "clerk", PASSWORD).status_code == 302


def test_a_reviewer_cannot_unlock(clerk, reviewer, client_for):
    reviewer.is_staff = True
    reviewer.save(update_fields=["is_staff"])
    fail_until_locked(lambda password: web_login(Client(), "/accounts/login/", "clerk", password))
    attempt = AccessAttempt.objects.get(username="clerk")
    reviewer_client = client_for(reviewer)

    assert reviewer_client.get("/admin/axes/accessattempt/").status_code == 403
    assert reviewer_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


@override_settings(CACHES=UNREACHABLE_REDIS)
def test_with_redis_down_lockouts_still_hold_and_other_logins_work(clerk):
    UserFactory(username="colleague")
    fail_until_locked(lambda password: token_login(APIClient(), "clerk", password), wrong_password_status=400)

    assert token_login(APIClient(), "clerk", PASSWORD).status_code == 429
    assert token_login(APIClient(), "colleague", PASSWORD).status_code == 200
    assert APIClient().get("/api/v1/villages/").status_code == 200
