"""The API's write bodies take exactly what the services accept, so a field added to a service fails here first."""

import pytest

from rural_services.api import serializers as network_serializers
from rural_services.services import CENTER_FIELDS, POINT_FIELDS
from villages.api import serializers as registry_serializers
from villages.services.registry import SHOP_FIELDS, VILLAGE_FIELDS
from villages.services.reports import REPORT_FIGURES

WRITE_BODIES = [
    (registry_serializers.VillageInputSerializer, VILLAGE_FIELDS),
    (registry_serializers.VillageUpdateSerializer, (*VILLAGE_FIELDS, "version")),
    (registry_serializers.OnlineShopInputSerializer, SHOP_FIELDS),
    (registry_serializers.OnlineShopUpdateSerializer, (*SHOP_FIELDS, "version")),
    (registry_serializers.AnnualReportInputSerializer, (*REPORT_FIGURES, "village", "year")),
    (registry_serializers.AnnualReportUpdateSerializer, (*REPORT_FIGURES, "version")),
    (network_serializers.CountyOperationCenterInputSerializer, CENTER_FIELDS),
    (network_serializers.ServicePointInputSerializer, POINT_FIELDS),
    (network_serializers.ServicePointUpdateSerializer, (*POINT_FIELDS, "version")),
]


@pytest.mark.parametrize(
    ("serializer_class", "accepted"), WRITE_BODIES, ids=[serializer.__name__ for serializer, _ in WRITE_BODIES]
)
def test_write_body_has_exactly_the_fields_its_service_accepts(serializer_class, accepted):
    assert set(serializer_class().fields) == set(accepted)
