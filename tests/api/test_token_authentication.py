"""The API's token authentication (taobao_site/token_authentication.py) answers as DRF's own does, in one query."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from taobao_site.token_authentication import RegistryTokenAuthentication
from villages.api.views import VillageViewSet

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(official):
    return Token.objects.create(user=official)


def both(key):
    """What DRF's class and the registry's make of a key: (user, token) or the failure's text."""
    answers = []
    for authentication in (TokenAuthentication(), RegistryTokenAuthentication()):
        try:
            answers.append(authentication.authenticate_credentials(key))
        except AuthenticationFailed as failure:
            answers.append(str(failure.detail))
    return answers


def test_the_api_authenticates_tokens_with_the_registrys_class():
    assert RegistryTokenAuthentication in VillageViewSet.authentication_classes


def test_the_user_is_the_one_the_orm_reads_field_for_field(token, official):
    official.last_login = official.date_joined
    official.first_name = "王"
    official.save()
    (theirs, their_token), (ours, our_token) = both(token.key)
    fields = [field.attname for field in get_user_model()._meta.concrete_fields]
    assert [getattr(ours, name) for name in fields] == [getattr(theirs, name) for name in fields]
    assert [type(getattr(ours, name)) for name in fields] == [type(getattr(theirs, name)) for name in fields]
    assert ours._state.adding is False and ours._state.db == theirs._state.db
    assert (our_token.pk, our_token.user_id, our_token.user) == (their_token.pk, their_token.user_id, ours)
    assert our_token.created == their_token.created


def test_a_token_costs_one_query(token):
    with CaptureQueriesContext(connection) as queries:
        RegistryTokenAuthentication().authenticate_credentials(token.key)
    assert len(queries) == 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_unknown_key_or_an_inactive_user_fails_with_drfs_message(token, official, language):
    from django.utils import translation

    with translation.override(language):
        unknown = both("f" * 40)
        official.is_active = False
        official.save()
        inactive = both(token.key)
    assert unknown[0] == unknown[1] and inactive[0] == inactive[1]
    assert {"en": "Invalid token.", "zh-hans": "认证令牌无效。"}[language] == unknown[1]
    assert inactive[1] != unknown[1]


def test_an_inactive_users_token_is_refused_by_the_api_with_401(token, official):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    assert client.get("/api/v1/shops/").status_code == 200
    official.is_active = False
    official.save()
    answer = client.get("/api/v1/shops/")
    assert answer.status_code == 401
    assert answer.json()["detail"] == "User inactive or deleted."


@pytest.mark.parametrize("key", ["a\x00b", "f" * 41, "x" * 5000])
def test_a_key_no_token_can_have_is_a_401_without_asking_the_database(key, token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/api/v1/shops/")
    assert answer.status_code == 401
    assert answer.json()["detail"] == "Invalid token."
    assert not [query for query in queries if "authtoken_token" in query["sql"]]
