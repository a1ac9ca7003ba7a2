"""The site's own 403, 404 and 500 pages: in the site's layout, in the request's language, with a way back."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import permission_denied, server_error

from tests.factories import OnlineShopFactory, VillageFactory

# (Accept-Language, the page's heading, the link back home, the site's name in its header)
LANGUAGES = {
    "zh-hans": {"403": "您无权进行此操作", "404": "页面不存在", "500": "系统出现了错误", "home": "返回首页",
                "site": "淘宝村登记系统", "login": "登录"},
    "en": {"403": "You may not do this", "404": "Page not found", "500": "Something went wrong on our side",
           "home": "Back to the home page", "site": "Taobao Village Registry", "login": "Log in"},
}


@pytest.fixture(autouse=True)
def production_error_pages(settings):
    """With DEBUG on, Django shows its technical pages instead of the site's."""
    settings.DEBUG = False


def client_in(language, user=None):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_village_shows_the_site_404_page_in_the_request_language(db, language):
    response = client_in(language).get(reverse("villages:village_detail", args=["999999999999"]))
    page = response.content.decode()
    words = LANGUAGES[language]
    assert response.status_code == 404
    assert words["404"] in page and words["home"] in page and words["site"] in page
    body = page.split("</header>", 1)[1]
    assert f'href="{reverse("villages:home")}"' in body
    assert words["login"] in body  # a record outside the public data may show after logging in


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reviewer_refused_a_change_sees_the_site_403_page_in_the_request_language(reviewer, tree, language):
    shop = OnlineShopFactory(village=VillageFactory(township=tree.town))
    response = client_in(language, reviewer).get(reverse("villages:shop_delete", args=[shop.pk]))
    page = response.content.decode()
    words = LANGUAGES[language]
    assert response.status_code == 403
    assert words["403"] in page and words["home"] in page and words["site"] in page
    assert "403 Forbidden" not in page
    assert reverse("login") not in page.split("</header>", 1)[1]  # logged in: no login link in the page body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_403_page_offers_an_anonymous_visitor_the_login(db, language):
    request = RequestFactory().get("/reports/1/edit/", HTTP_ACCEPT_LANGUAGE=language)
    request.user = AnonymousUser()
    with translation.override(language):
        response = permission_denied(request, PermissionDenied())
    body = response.content.decode().split("</header>", 1)[1]
    assert response.status_code == 403
    assert LANGUAGES[language]["403"] in body
    assert f'{reverse("login")}?next=/reports/1/edit/' in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_failing_view_shows_the_site_500_page_in_the_request_language(db, monkeypatch, language):
    def broken(user):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("villages.views.villages.villages_visible_to", broken)
    client = client_in(language)
    client.raise_request_exception = False
    response = client.get(reverse("villages:village_list"))
    page = response.content.decode()
    words = LANGUAGES[language]
    assert response.status_code == 500
    assert words["500"] in page and words["home"] in page and words["site"] in page
    assert "the database went away" not in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_500_page_renders_without_context_processors_or_database(language):
    """No `db` fixture: any query would fail the test; server_error renders with an empty context."""
    with translation.override(language):
        response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert LANGUAGES[language]["500"] in page and 'href="/"' in page
