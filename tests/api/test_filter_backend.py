"""The API's filter backend (taobao_site/api_filtering.py): no FilterSet for a request that names no filter, a
FilterSet of the named filters for every other, and django-filter's answer for all of them."""

import django_filters
import pytest
from django import forms
from django_filters.rest_framework import DjangoFilterBackend

from taobao_site.api_filtering import RegistryFilterBackend, filter_parameter_names
from tests.api.conftest import list_rows
from tests.factories import OnlineShopFactory, VillageFactory
from villages.api.views import OnlineShopViewSet, VillageViewSet
from villages.filters import OnlineShopFilter, VillageFilter
from villages.models import Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(monkeypatch):
    """The FilterSets that the requests built: the declared class each derives from, and the filters it holds."""
    made = []
    for filterset_class in (VillageFilter, OnlineShopFilter):
        original = filterset_class.__init__

        def counted(self, *args, _original=original, _declared=filterset_class, **kwargs):
            _original(self, *args, **kwargs)
            made.append((_declared, set(self.filters)))

        monkeypatch.setattr(filterset_class, "__init__", counted)
    return made


@pytest.fixture
def villages(tree):
    return [VillageFactory(township=tree.town) for _ in range(3)] + [VillageFactory(township=tree.other_town)]


def test_the_backend_is_the_apis():
    assert RegistryFilterBackend in VillageViewSet.filter_backends
    assert RegistryFilterBackend in OnlineShopViewSet.filter_backends


@pytest.mark.parametrize("query", ["", "?page_size=2", "?page=1", "?ordering=code&format=json"])
def test_a_request_without_a_filter_builds_no_filterset_and_lists_what_django_filter_lists(
    query, administrator, api_for, villages, built, monkeypatch
):
    client = api_for(administrator)
    ours = list_rows(client.get(f"/api/v1/villages/{query}"))
    assert built == []
    monkeypatch.setattr(VillageViewSet, "filter_backends", [DjangoFilterBackend])
    assert list_rows(client.get(f"/api/v1/villages/{query}")) == ours
    assert built == [(VillageFilter, set(VillageFilter.base_filters))]
    assert len(ours) == min(4, 2 if "page_size" in query else 50)


def test_a_request_with_a_filter_is_filtered_by_django_filter(administrator, api_for, villages, tree, built):
    client = api_for(administrator)
    rows = list_rows(client.get(f"/api/v1/villages/?county={tree.county.code}&page_size=50"))
    assert built == [(VillageFilter, {"county"})]
    assert sorted(row["code"] for row in rows) == sorted(v.code for v in villages if v.township == tree.town)
    list_rows(client.get(f"/api/v1/villages/?search=村&county={tree.county.code}&unknown=1"))
    assert built[-1] == (VillageFilter, {"county", "search"})


@pytest.mark.parametrize(
    "query",
    [
        "?county=999999",
        "?county=",
        "?committee_type=castle&unknown=1",
        "?county=999999&committee_type=castle&province=370000",
        "?certified_in=1800&search=" + "村" * 101,
    ],
)
def test_a_wrong_filter_value_is_still_refused_or_ignored_as_before(query, administrator, api_for, villages,
                                                                     monkeypatch):
    client = api_for(administrator)
    ours = client.get(f"/api/v1/villages/{query}")
    monkeypatch.setattr(VillageViewSet, "filter_backends", [DjangoFilterBackend])
    theirs = client.get(f"/api/v1/villages/{query}")
    assert (ours.status_code, ours.json()) == (theirs.status_code, theirs.json())
    assert ours.status_code == (200 if query == "?county=" else 400)
    if ours.status_code == 400:
        assert ours.json() != {}


def test_an_unknown_parameter_alone_filters_nothing(official, api_for, tree, built):
    shop = OnlineShopFactory(village=VillageFactory(township=tree.town))
    rows = list_rows(api_for(official).get("/api/v1/shops/?colour=red"))
    assert [row["id"] for row in rows] == [shop.id]
    assert built == []


class WithRange(django_filters.FilterSet):
    households = django_filters.RangeFilter()

    class Meta:
        model = Village
        fields = ["households"]


class WithOwnWidget(django_filters.FilterSet):
    made = django_filters.DateFromToRangeFilter(field_name="created_at")

    class Meta:
        model = Village
        fields = ["committee_type"]


class Required(django_filters.FilterSet):
    committee_type = django_filters.ChoiceFilter(choices=Village.CommitteeType.choices, required=True)
    households = django_filters.NumberFilter()

    class Meta:
        model = Village
        fields = ["committee_type", "households"]


class BothOrNeither(forms.Form):
    def clean(self):
        data = super().clean()
        if bool(data.get("households")) != bool(data.get("committee_type")):
            raise forms.ValidationError("both or neither")
        return data


class WithOwnForm(django_filters.FilterSet):
    class Meta:
        model = Village
        fields = ["committee_type", "households"]
        form = BothOrNeither


def test_a_filterset_that_must_run_whole_is_never_narrowed_or_skipped():
    for filterset_class in (WithRange, WithOwnWidget, Required, WithOwnForm):
        assert filter_parameter_names(filterset_class) is None
    assert filter_parameter_names(VillageFilter) == frozenset(VillageFilter.base_filters)


@pytest.mark.parametrize(
    ("filterset_class", "query", "status"),
    [
        (WithRange, "?households_min=500", 200),
        (Required, "", 400),
        (Required, "?households=900", 400),
        (WithOwnForm, "?households=900", 400),
    ],
)
def test_such_a_filterset_answers_as_django_filter_does(filterset_class, query, status, administrator, api_for,
                                                        tree, monkeypatch):
    VillageFactory(township=tree.town, households=10)
    VillageFactory(township=tree.town, households=900)
    monkeypatch.setattr(VillageViewSet, "filterset_class", filterset_class)
    client = api_for(administrator)
    ours = client.get(f"/api/v1/villages/{query}")
    monkeypatch.setattr(VillageViewSet, "filter_backends", [DjangoFilterBackend])
    theirs = client.get(f"/api/v1/villages/{query}")
    assert ours.status_code == status
    assert (ours.status_code, ours.json()) == (theirs.status_code, theirs.json())
