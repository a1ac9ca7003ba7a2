"""A report's evidence and discussion: the files a county attaches to an annual report, and the comment thread."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from villages import evidence_types

from .reports import AnnualReport

ATTACHMENT_CONTENT_TYPES = list(evidence_types.LABELS.items())


class ReportAttachment(models.Model):
    """One evidence file of a report: stored through Django's storage API, never served from a public URL.

    `content_type` is the one the file's bytes proved (`villages.evidence_types`), not the one the browser
    sent; `name` is the uploaded file's name, shown to people, while the stored file is named by the registry.
    A report with attachments cannot be deleted before them (PROTECT): evidence does not vanish with a row.
    """

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("report"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100, choices=ATTACHMENT_CONTENT_TYPES)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["report", "uploaded_at", "id"]
        indexes = [models.Index(fields=["report", "uploaded_at"], name="attachment_report_uploaded")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content_type__in=list(evidence_types.EXTENSIONS)),
                name="attachment_content_type_valid",
            ),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="attachment_size_positive"),
        ]

    def __str__(self):
        return f"{self.report}: {self.name}"


class ReportComment(models.Model):
    """One message in a report's thread between its county and its reviewers: who wrote what, and when."""

    MAX_LENGTH = 2000

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text"), max_length=MAX_LENGTH)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report comment")
        verbose_name_plural = _("report comments")
        ordering = ["report", "at", "id"]
        indexes = [models.Index(fields=["report", "at"], name="comment_report_at")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="comment_text_not_empty"),
        ]

    def __str__(self):
        return f"{self.report}: {self.text[:40]}"
