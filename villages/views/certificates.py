"""Public certificate pages: verification by serial or by village and year, the printable page, its PDF and QR.

No login and no personal data: a certificate shows the village, its divisions, the year, the criteria
version, the issuer and its dates. An unknown (or forged, or malformed) serial answers a "not found" page
with status 404, never a 500.
"""

from django.http import HttpResponse
from django.shortcuts import render

from villages.certificate_documents import (
    certificate_data_source,
    certificate_divisions,
    certificate_pdf,
    pdf_url,
    qr_png,
    verification_url,
)
from villages.public_record_filters import CertificateLookupForm
from villages.selectors.certificates import certificate_by_serial, certificates_of_village_year, successor_of

SERIAL_MAX_LENGTH = 24


def _not_found(request, serial: str):
    return render(
        request,
        "villages/verify_not_found.html",
        {"serial": serial[:SERIAL_MAX_LENGTH], "form": CertificateLookupForm()},
        status=404,
    )


def _certificate_context(certificate) -> dict:
    return {
        "certificate": certificate,
        "divisions": certificate_divisions(certificate),
        "data_source": certificate_data_source(certificate),
        "data_source_chinese": certificate_data_source(certificate, language="zh-hans"),
        "verify_url": verification_url(certificate.serial),
        "pdf_url": pdf_url(certificate.serial),
    }


def certificate_lookup(request):
    """The verification start page: a serial can be typed in, or a village code and year looked up."""
    if "village" not in request.GET and "year" not in request.GET:
        return render(request, "villages/verify_lookup.html", {"form": CertificateLookupForm(), "searched": False})
    form = CertificateLookupForm(request.GET)
    if not form.is_valid():
        return render(request, "villages/verify_lookup.html", {"form": form, "searched": False}, status=400)
    certificates = certificates_of_village_year(
        village_code=form.cleaned_data["village"], year=form.cleaned_data["year"]
    )
    return render(
        request,
        "villages/verify_lookup.html",
        {"form": form, "searched": True, "certificates": [_certificate_context(item) for item in certificates]},
        status=200 if certificates else 404,
    )


def certificate_verify(request, serial):
    """Whether the certificate with this serial is valid, or revoked (when and why)."""
    certificate = certificate_by_serial(serial)
    if certificate is None:
        return _not_found(request, serial)
    context = {
        **_certificate_context(certificate),
        "successor": successor_of(certificate),
        "form": CertificateLookupForm(),
    }
    return render(request, "villages/verify.html", context)


def certificate_page(request, serial):
    """The certificate as a printable A4 page in Chinese (print CSS), with its QR code."""
    certificate = certificate_by_serial(serial)
    if certificate is None:
        return _not_found(request, serial)
    return render(request, "villages/certificate.html", _certificate_context(certificate))


def certificate_pdf_download(request, serial):
    certificate = certificate_by_serial(serial)
    if certificate is None:
        return _not_found(request, serial)
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.serial}.pdf"'
    return response


def certificate_qr(request, serial):
    """The QR code (PNG) that carries the certificate's verification address."""
    certificate = certificate_by_serial(serial)
    if certificate is None:
        return _not_found(request, serial)
    return HttpResponse(qr_png(verification_url(certificate.serial)), content_type="image/png")
