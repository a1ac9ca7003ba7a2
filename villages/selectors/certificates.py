"""Certificate reads: the public list and verification (certificates are public), and the admin's scoped rows."""

from django.db.models import JSONField, OuterRef, Q, Subquery

from villages.models import Assessment, Certificate
from villages.models.certificates import SERIAL

from .jurisdiction import in_jurisdiction

# What a certificate page shows: the village, its township and the divisions above it, the criteria version.
_SHOWN = ("village__township__parent__parent__parent", "criteria_set")


def _with_input_sources(certificates):
    """`assessment_input_sources`: the sources of the qualifying assessment of the certificate's village and year
    (from an approved report, so public; None if there is none), in the same query, for the data-source words."""
    return certificates.annotate(assessment_input_sources=Subquery(
        Assessment.objects.filter(village_id=OuterRef("village_id"), year=OuterRef("year"), qualified=True)
        .order_by("-id").values("input_sources")[:1],
        output_field=JSONField(),
    ))


def certificates_for_listing():
    """Every certificate, valid or revoked (a revoked serial must still verify as revoked), newest first."""
    return Certificate.objects.select_related("village", "criteria_set").order_by("-id")


def certificates_in_scope_of(user):
    """The certificates of the villages in the user's area (the admin)."""
    return in_jurisdiction(Certificate.objects.all(), user, "village__code")


def certificate_by_serial(serial: str) -> Certificate | None:
    """The certificate with this serial (serials are stored upper-case), with what its pages show; None if none.

    Text that is no serial at all is not looked up (a NUL character, say, would be a database error).
    """
    serial = serial.strip().upper()
    if not SERIAL.match(serial):
        return None
    return _with_input_sources(Certificate.objects.select_related(*_SHOWN)).filter(serial=serial).first()


def certificates_of_village_year(*, village_code: str, year: int) -> list[Certificate]:
    """A village's certificates of one year, the valid one (if any) first, then the revoked ones newest first."""
    rows = _with_input_sources(Certificate.objects.select_related(*_SHOWN)).filter(
        Q(village__code=village_code) & Q(year=year))
    return sorted(rows, key=lambda certificate: (certificate.revoked_on is not None, -certificate.pk))


def successor_of(certificate: Certificate) -> Certificate | None:
    """The valid certificate that replaced a revoked one (re-issued for the same village and year), if any."""
    if certificate.revoked_on is None:
        return None
    return (
        Certificate.objects.filter(village_id=certificate.village_id, year=certificate.year, revoked_on__isnull=True)
        .only("serial")
        .first()
    )
