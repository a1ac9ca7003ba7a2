"""The service network's `*_for_editing` / `*_for_deleting` selectors: 404 outside the area, 403 without the right."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from rural_services import selectors
from tests.factories import (
    CountyOperationCenterFactory,
    ServiceActivityFactory,
    ServicePointFactory,
    VillageFactory,
)


@pytest.fixture
def records(tree):
    center = CountyOperationCenterFactory(county=tree.county)
    point = ServicePointFactory(village=VillageFactory(township=tree.town), county_center=center)
    activity = ServiceActivityFactory(point=point)
    return {"point": (point, point.code), "activity": (activity, activity.pk), "center": (center, center.pk)}


EDITING = {
    "point": selectors.service_point_for_editing,
    "activity": selectors.activity_for_editing,
    "center": selectors.county_center_for_editing,
}
DELETING = {
    "point": selectors.service_point_for_deleting,
    "activity": selectors.activity_for_deleting,
    "center": selectors.county_center_for_deleting,
}


@pytest.mark.parametrize("name", EDITING)
def test_the_official_of_the_county_gets_the_record_to_edit(official, records, name):
    record, key = records[name]
    assert EDITING[name](official, key) == record


@pytest.mark.parametrize("name", EDITING)
def test_outside_the_area_is_404_and_a_reviewer_is_refused(other_official, reviewer, records, name):
    _record, key = records[name]
    with pytest.raises(Http404):
        EDITING[name](other_official, key)
    with pytest.raises(PermissionDenied):
        EDITING[name](reviewer, key)


@pytest.mark.parametrize("name", DELETING)
def test_only_an_administrator_gets_a_record_to_delete(official, other_official, administrator, records, name):
    record, key = records[name]
    assert DELETING[name](administrator, key) == record
    with pytest.raises(PermissionDenied):
        DELETING[name](official, key)
    with pytest.raises(Http404):
        DELETING[name](other_official, key)
