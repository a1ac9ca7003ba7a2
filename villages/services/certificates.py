"""Certificate writes: keep the certificates in step with the assessments, in a few set-based statements.

A qualified assessment has one valid certificate for its village and year. `certificates_sync` is called by
the certification service after it has written assessments (one approval, a reopening, a national rescoring):

    qualified assessment, no valid certificate   → issued (a new serial, even if an older one was revoked)
    valid certificate, no assessment any more    → revoked: the report was reopened (or is no longer approved)
    valid certificate, assessment not qualified  → revoked: the status was lost on rescoring

Two conditional UPDATEs and one bulk INSERT whatever the number of villages; no row is read one by one.
"""

import secrets
from typing import NamedTuple

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from villages.models import Assessment, Certificate

# Crockford's base-32 alphabet: no I, L, O or U, so a serial read aloud or copied by hand is not misread.
SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SERIAL_PREFIX = "TBV"
# 8 random characters: 40 bits, so that serials cannot be guessed or enumerated from one another.
SERIAL_RANDOM_CHARACTERS = 8


class CertificateChanges(NamedTuple):
    """What one synchronisation did."""

    issued: int
    revoked: int


def certificate_serial(year: int) -> str:
    """A new random serial such as `TBV-2024-7K3M-Q9XD` (year, then two groups of four characters)."""
    random_part = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_RANDOM_CHARACTERS))
    return f"{SERIAL_PREFIX}-{year}-{random_part[:4]}-{random_part[4:]}"


def issuing_authority_for(village_code: str) -> str:
    """The authority that issues certificates in the village's province (settings.CERTIFICATE_AUTHORITIES)."""
    authorities = settings.CERTIFICATE_AUTHORITIES
    return authorities.get(village_code[:2]) or authorities.get(village_code[:2] + "0000") or (
        settings.CERTIFICATE_AUTHORITY_DEFAULT
    )


def certificates_sync(*, years, village_ids=None) -> CertificateChanges:
    """Issue and revoke the certificates of `years` (of `village_ids` only, when given) to match the assessments.

    Runs inside the caller's transaction: an approval that fails leaves no certificate behind.
    """
    years = sorted(set(years))
    today = timezone.localdate()
    valid = Certificate.objects.filter(year__in=years, revoked_on__isnull=True)
    assessments = Assessment.objects.filter(year__in=years)
    if village_ids is not None:
        valid = valid.filter(village_id__in=village_ids)
        assessments = assessments.filter(village_id__in=village_ids)
    same_village_year = {"village_id": OuterRef("village_id"), "year": OuterRef("year")}
    revoked = valid.filter(~Exists(Assessment.objects.filter(**same_village_year))).update(
        revoked_on=today, revoked_reason=Certificate.RevokedReason.REPORT_REOPENED, updated_at=timezone.now()
    )
    revoked += valid.filter(Exists(Assessment.objects.filter(**same_village_year, qualified=False))).update(
        revoked_on=today, revoked_reason=Certificate.RevokedReason.STATUS_LOST, updated_at=timezone.now()
    )
    to_issue = list(
        assessments.filter(qualified=True)
        .filter(~Exists(Certificate.objects.filter(**same_village_year, revoked_on__isnull=True)))
        .order_by("village_id", "year")
        .values_list("village_id", "village__code", "year", "criteria_set_id")
    )
    serials = _fresh_serials([year for _village_id, _code, year, _criteria_set_id in to_issue])
    Certificate.objects.bulk_create(
        [
            Certificate(
                serial=serial,
                village_id=village_id,
                year=year,
                criteria_set_id=criteria_set_id,
                issuing_authority=issuing_authority_for(code),
                issued_on=today,
            )
            for serial, (village_id, code, year, criteria_set_id) in zip(serials, to_issue, strict=True)
        ],
        batch_size=1000,
    )
    return CertificateChanges(issued=len(to_issue), revoked=revoked)


def _fresh_serials(years: list[int]) -> list[str]:
    """One unused serial per year given: drawn at random, and drawn again in the (rare) case of a clash.

    Checked against the stored serials a few hundred at a time, so a bulk insert never fails on the unique key.
    """
    chosen: set[str] = set()
    serials: list[str] = [""] * len(years)
    pending = list(range(len(years)))
    while pending:
        drawn = {position: certificate_serial(years[position]) for position in pending}
        stored = _stored_among(list(drawn.values()))
        pending = []
        for position, serial in drawn.items():
            if serial in stored or serial in chosen:
                pending.append(position)
            else:
                chosen.add(serial)
                serials[position] = serial
    return serials


SERIAL_CHECK_CHUNK = 500


def _stored_among(serials: list[str]) -> set[str]:
    stored: set[str] = set()
    for start in range(0, len(serials), SERIAL_CHECK_CHUNK):
        chunk = serials[start : start + SERIAL_CHECK_CHUNK]
        stored.update(Certificate.objects.filter(serial__in=chunk).values_list("serial", flat=True))
    return stored
