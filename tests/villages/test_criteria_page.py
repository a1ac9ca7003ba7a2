"""The criteria page: each stored version in words (Chinese and English), what changed when and why, from the rows."""

import pytest
from django.urls import reverse

from villages.models import CriteriaSet

pytestmark = pytest.mark.django_db


def page(client, language="en"):
    response = client.get(reverse("villages:criteria"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def section(text, first_year):
    return text.split(f'id="criteria-{first_year}"')[1].split("</section>")[0]


def test_each_stored_version_is_said_in_words(client):
    text = page(client)
    first = section(text, 2009)
    assert "From 2009 to 2018" in first
    assert "Annual e-commerce sales reach at least RMB 10,000,000." in first
    assert "At least 100 active online shops, or active shops in at least 10 % of the households." in first
    assert "at least 3 Taobao villages" in first


def test_2019_adds_the_town_scale_route_and_says_why(client):
    changes = section(page(client), 2019).split('class="criteria-changes"')[1].split("</ul>")[0]
    assert "Towns can also qualify by their scale alone" in changes
    assert "RMB 30,000,000" in changes and "300" in changes
    assert "were not counted before" in changes


def test_2020_excludes_neighbourhood_committees_and_subdistricts_with_the_stored_rule(client):
    later = section(page(client), 2020)
    assert "These units no longer count as Taobao villages: neighbourhood committee." in later
    assert "Subdistricts can no longer be Taobao towns." in later
    assert "keeps its eligibility" in later
    CriteriaSet.objects.filter(first_year=2020).update(neighbourhood_committee_rule="excluded")
    assert "also those certified in earlier years" in section(page(client), 2020)


def test_a_threshold_changed_in_the_stored_rows_changes_the_page(client):
    CriteriaSet.objects.filter(first_year=2020).update(village_min_active_shops=120)
    later = section(page(client), 2020)
    assert "At least 120 active online shops" in later
    assert "Minimum active shops of a village: 100, now 120." in later


def test_the_page_is_in_chinese_for_a_chinese_reader(client):
    text = page(client, "zh-hans")
    assert "每年的认定标准" in text
    assert "不再计为淘宝村" in section(text, 2020)
