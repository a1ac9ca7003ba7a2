"""Certificate writes: keep the certificates in step with the assessments, in a few set-based statements.

A qualified assessment has one valid certificate for its village and year. The certification service keeps
it so after it has written assessments: `village_certificate_refresh` after one approval or reopening (one
statement), `certificates_sync` after a rescoring (a few statements for any number of villages):

    qualified assessment, no valid certificate   → issued (a new serial, even if an older one was revoked)
    valid certificate, no assessment any more    → revoked: the report was reopened (or is no longer approved)
    valid certificate, assessment not qualified  → revoked: the status was lost on rescoring

No row is read or written one by one.
"""

import secrets
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Case, Exists, OuterRef, Value, When
from django.utils import timezone

from villages.models import Assessment, Certificate

# Crockford's base-32 alphabet: no I, L, O or U, so a serial read aloud or copied by hand is not misread.
SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SERIAL_PREFIX = "TBV"
# 8 random characters: 40 bits, so that serials cannot be guessed or enumerated from one another.
SERIAL_RANDOM_CHARACTERS = 8
# Rounds of drawing serials for the certificates a clash left out; a second round is already rare.
SERIAL_DRAWS = 5


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


def village_certificate_refresh(*, village, year: int, criteria_set_id: int, qualified: bool) -> None:
    """One village's year after an approval or a reopening: one statement.

    Qualified: a certificate is inserted unless a valid one exists (the partial unique key turns the insert
    into nothing: ON CONFLICT DO NOTHING). Not qualified, or the assessment withdrawn: the valid one is revoked.
    The insert's serial is not checked beforehand: a clash of two random 40-bit serials (about one in a
    million at a million certificates) skips the insert, and the next `certificates_sync` issues it.
    """
    if qualified:
        Certificate.objects.bulk_create(
            [
                Certificate(
                    serial=certificate_serial(year),
                    village_id=village.pk,
                    year=year,
                    criteria_set_id=criteria_set_id,
                    issuing_authority=issuing_authority_for(village.code),
                    issued_on=timezone.localdate(),
                )
            ],
            ignore_conflicts=True,
        )
        return
    _revoke(Certificate.objects.filter(village_id=village.pk, year=year, revoked_on__isnull=True))


def _revoke(valid_certificates) -> int:
    """Revoke the certificates given in one UPDATE, each with its reason: no assessment any more (the report
    was reopened, or is no longer approved), or an assessment that no longer qualifies."""
    still_assessed = Exists(Assessment.objects.filter(village_id=OuterRef("village_id"), year=OuterRef("year")))
    return valid_certificates.update(
        revoked_on=timezone.localdate(),
        revoked_reason=Case(
            When(still_assessed, then=Value(Certificate.RevokedReason.STATUS_LOST)),
            default=Value(Certificate.RevokedReason.REPORT_REOPENED),
        ),
        updated_at=timezone.now(),
    )


def certificates_sync(*, years, village_ids=None) -> CertificateChanges:
    """Issue and revoke the certificates of `years` (of `village_ids` only, when given) to match the assessments.

    Runs inside the caller's transaction (a rescoring): one UPDATE, then a read of the qualified assessments
    still without a valid certificate, one INSERT of all of them (ON CONFLICT DO NOTHING), and the same read
    again, which finds nothing unless two random serials clashed (then those are drawn again): a few
    statements whatever the number of villages.
    """
    years = sorted(set(years))
    valid = Certificate.objects.filter(year__in=years, revoked_on__isnull=True)
    assessments = Assessment.objects.filter(year__in=years, qualified=True)
    if village_ids is not None:
        valid = valid.filter(village_id__in=village_ids)
        assessments = assessments.filter(village_id__in=village_ids)
    same_village_year = {"village_id": OuterRef("village_id"), "year": OuterRef("year")}
    revoked = _revoke(valid.filter(~Exists(Assessment.objects.filter(**same_village_year, qualified=True))))
    uncertified = (
        assessments.filter(~Exists(Certificate.objects.filter(**same_village_year, revoked_on__isnull=True)))
        .order_by("village_id", "year")
        .values_list("village_id", "village__code", "year", "criteria_set_id")
    )
    to_issue = list(uncertified.all())
    issued = len(to_issue)
    for _round in range(SERIAL_DRAWS):
        if not to_issue:
            break
        _certificates_insert(to_issue)
        to_issue = list(uncertified.all())
    return CertificateChanges(issued=issued - len(to_issue), revoked=revoked)


def _certificates_insert(rows) -> None:
    """Insert a certificate with a fresh serial for each (village id, village code, year, criteria set id), in
    one statement (executemany); a row whose serial clashes with a stored one is skipped."""
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    meta = Certificate._meta
    columns = [
        meta.get_field(name).column
        for name in (
            "serial", "village", "year", "criteria_set", "issuing_authority", "issued_on", "revoked_reason",
            "created_at", "updated_at",
        )
    ]
    values = [
        (certificate_serial(year), village_id, year, criteria_set_id, issuing_authority_for(code), today, "", now, now)
        for village_id, code, year, criteria_set_id in rows
    ]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(column) for column in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT DO NOTHING",
            values,
        )
