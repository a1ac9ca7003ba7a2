"""The certificate as a document: its public verification address, its QR code, and its A4 PDF in Chinese.

The PDF uses reportlab's built-in CID font STSong-Light, which every PDF reader has, so no font is embedded
or downloaded; serial and address are set in Helvetica. The QR code (segno) carries the absolute
verification URL built on `SITE_URL`, so a printed certificate can be checked with any phone camera.
Nothing personal is printed: the village, its divisions, the year, the criteria version and the issuer, and
on a valid certificate where its figures came from (`certificate_data_source`: "declared", or "declared,
checked against platform data (difference …)"), read off the approved assessment's `input_sources`.
"""

import io

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from villages.models import Certificate
from villages.status_reasons import DataSource, data_source

CHINESE_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD_FONT = "Helvetica-Bold"
QR_ERROR_LEVEL = "m"


def verification_url(serial: str) -> str:
    """The absolute public address that verifies the certificate (what its QR code carries)."""
    return settings.SITE_URL.rstrip("/") + reverse("villages:certificate_verify", args=[serial])


def pdf_url(serial: str) -> str:
    """The absolute address of the certificate's PDF."""
    return settings.SITE_URL.rstrip("/") + reverse("villages:certificate_pdf", args=[serial])


def qr_png(url: str, *, scale: int = 8) -> bytes:
    """The QR code of `url` as a PNG (black on white, with the standard quiet zone)."""
    output = io.BytesIO()
    segno.make(url, error=QR_ERROR_LEVEL).save(output, kind="png", scale=scale, border=4)
    return output.getvalue()


def qr_svg(url: str, *, scale: int = 4) -> str:
    """The QR code of `url` as inline SVG markup, for the printable HTML page."""
    return segno.make(url, error=QR_ERROR_LEVEL).svg_inline(scale=scale, title=url)


def certificate_divisions(certificate: Certificate) -> list[str]:
    """The names from province down to township of the certificate's village (loaded with it)."""
    names = []
    division = certificate.village.township
    while division is not None:
        names.append(division.name)
        division = division.parent
    return list(reversed(names))


def certificate_data_source(certificate: Certificate, *, language: str | None = None) -> DataSource | None:
    """Where the certified figures came from, in `language` (else the active one); None on a revoked certificate
    or when no qualifying assessment stands behind it (the selectors of `villages.selectors.certificates`
    annotate `assessment_input_sources`)."""
    sources = getattr(certificate, "assessment_input_sources", None)
    if certificate.revoked_on is not None or sources is None:
        return None
    with translation.override(language or translation.get_language()):
        return data_source(sources)


def chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 PDF, in Chinese; a revoked one says so across the page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader, simpleSplit
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if CHINESE_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))
    url = verification_url(certificate.serial)
    width, height = A4
    output = io.BytesIO()
    with translation.override("zh-hans"):
        page = canvas.Canvas(output, pagesize=A4, pageCompression=0)
        page.setTitle(f"{_('Taobao village certificate')} {certificate.serial}")
        page.setSubject(certificate.serial)
        page.setAuthor(certificate.issuing_authority)
        page.setLineWidth(1.5)
        page.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
        page.setLineWidth(0.5)
        page.rect(18 * mm, 18 * mm, width - 36 * mm, height - 36 * mm)

        page.setFont(CHINESE_FONT, 30)
        page.drawCentredString(width / 2, height - 55 * mm, _("Taobao village certificate"))
        page.setFont(CHINESE_FONT, 14)
        lines = [
            _("This certifies that"),
            f"{certificate.village.name}（{certificate.village.code}）",
            "".join(certificate_divisions(certificate)),
            _("qualifies as a Taobao village of the year %(year)s.") % {"year": certificate.year},
        ]
        y = height - 85 * mm
        for line in lines:
            page.drawCentredString(width / 2, y, line)
            y -= 11 * mm
        y -= 6 * mm
        page.setFont(CHINESE_FONT, 12)
        facts = [
            (_("Criteria version"), str(certificate.criteria_set.label)),
            (_("Issuing authority"), certificate.issuing_authority),
            (_("Issued on"), chinese_date(certificate.issued_on)),
        ]
        source = certificate_data_source(certificate)
        if source is not None:
            facts.append((_("Source of the figures"), source.text))
        for label, value in facts:
            # A long value (the data's source with its differences) wraps within the inner frame.
            for line in simpleSplit(f"{label}：{value}", CHINESE_FONT, 12, width - 70 * mm):
                page.drawString(35 * mm, y, line)
                y -= 6 * mm
            y -= 3 * mm
        serial_label = f"{_('Serial number')}："
        page.drawString(35 * mm, y, serial_label)
        page.setFont(LATIN_BOLD_FONT, 13)
        page.drawString(35 * mm + pdfmetrics.stringWidth(serial_label, CHINESE_FONT, 12), y, certificate.serial)

        qr_size = 45 * mm
        page.drawImage(ImageReader(io.BytesIO(qr_png(url))), width - 35 * mm - qr_size, 40 * mm, qr_size, qr_size)
        page.setFont(CHINESE_FONT, 10)
        page.drawString(35 * mm, 58 * mm, _("Scan the code or open this address to verify the certificate:"))
        page.setFont(LATIN_FONT, 9)
        page.drawString(35 * mm, 52 * mm, url)

        if certificate.revoked_on is not None:
            page.setFillColorRGB(0.75, 0.05, 0.05)
            page.setFont(CHINESE_FONT, 16)
            page.drawCentredString(
                width / 2,
                y - 18 * mm,
                _("Revoked on %(date)s: %(reason)s")
                % {"date": chinese_date(certificate.revoked_on), "reason": certificate.get_revoked_reason_display()},
            )
        page.showPage()
        page.save()
    return output.getvalue()
