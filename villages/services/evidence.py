"""A report's evidence and discussion: uploading and deleting its attachments, and adding to its comment thread.

Who may do what:
- upload an attachment: a county official of the report's county (or an administrator) while the report is a
  draft or returned, the same people and the same states as for changing its figures; reviewers never;
- delete one: the same people in the same states; once the report is submitted the evidence is what the
  reviewer is reading, and once approved it is what the certification rests on, so it stays (a reopened
  report is returned, and its county may then change its evidence again);
- comment: anyone who works on the report (its county's officials, its area's reviewers, administrators), in
  any state; the others who work on it (its county's officials and its area's reviewers) find it in their inbox.
The state is checked on the report row locked for the transaction, so an upload racing a submission either
lands before it or is refused. A file is accepted by what its bytes prove (`villages.evidence_types`), within
ATTACHMENT_MAX_BYTES, and stored under a name the registry gives it; the uploaded name is only shown.
"""

import hashlib
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages import evidence_types
from villages.models import AnnualReport, ReportAttachment, ReportComment
from villages.selectors.evidence import may_see_evidence
from villages.selectors.jurisdiction import may_edit_registry

from .errors import ConflictError
from .inbox import comment_notify
from .recording import require

NOT_YOUR_COUNTY = gettext_lazy(
    "Only a county official of this village's county may add or remove the evidence of its reports."
)
NOT_ON_THIS_REPORT = gettext_lazy(
    "Only the county officials, reviewers and administrators responsible for this report may comment on it."
)
EVIDENCE_LOCKED = gettext_lazy(
    "Evidence can be added or removed only while the report is a draft or returned: a submitted report is "
    "being reviewed with it, and an approved one keeps it. Nothing was changed."
)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024


def attachment_max_bytes() -> int:
    return getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _lock_editable_report(report: AnnualReport) -> None:
    """Hold the report row until the transaction ends, and refuse unless it is still a draft or returned."""
    locked = AnnualReport.objects.select_for_update().filter(
        pk=report.pk, status__in=AnnualReport.EDITABLE_STATUSES
    )
    if not locked.exists():
        raise ConflictError(EVIDENCE_LOCKED)


def shown_file_name(raw_name: str) -> str:
    """The uploaded name as people will read it: its last path part, without control characters, ≤255."""
    base = (raw_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(char for char in base if unicodedata.category(char)[0] != "C").strip()
    return printable[:255] or "evidence"


def _checked_content_type(uploaded_file) -> str:
    size = getattr(uploaded_file, "size", 0) or 0
    if size > attachment_max_bytes():
        raise ValidationError(
            {"file": _("The file is %(size)s MB; the limit is %(limit)s MB.") % {
                "size": round(size / 1048576, 1), "limit": round(attachment_max_bytes() / 1048576, 1)}}
        )
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = evidence_types.sniff_content_type(uploaded_file)
    if content_type is None:
        raise ValidationError(
            {"file": _(
                "This file is not a PDF, PNG, JPEG or XLSX file (its content was checked, not its name). Only "
                "these kinds are accepted as evidence; a renamed program or web page is refused."
            )}
        )
    return content_type


def _sha256(uploaded_file) -> str:
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks(_CHUNK_BYTES):
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


@transaction.atomic
def attachment_upload(*, report: AnnualReport, by, uploaded_file) -> ReportAttachment:
    """Store one evidence file for the report; refused unless it is a PDF, PNG, JPEG or XLSX by content."""
    require(may_edit_registry(by, report.village.code), NOT_YOUR_COUNTY)
    content_type = _checked_content_type(uploaded_file)
    _lock_editable_report(report)
    attachment = ReportAttachment(
        report=report,
        name=shown_file_name(getattr(uploaded_file, "name", "")),
        content_type=content_type,
        size=uploaded_file.size,
        sha256=_sha256(uploaded_file),
        uploaded_by=by,
    )
    stored_name = f"{uuid.uuid4().hex}.{evidence_types.EXTENSIONS[content_type]}"
    attachment.file.save(stored_name, uploaded_file, save=False)
    # Should the insert fail, the stored file stays behind unreachable: only a row leads to it.
    attachment.save()
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: ReportAttachment, by) -> None:
    """Remove an attachment of a draft or returned report (its county or an administrator); 409 otherwise."""
    report = attachment.report
    require(may_edit_registry(by, report.village.code), NOT_YOUR_COUNTY)
    _lock_editable_report(report)
    deleted, _rows = ReportAttachment.objects.filter(pk=attachment.pk).delete()
    if not deleted:
        raise ConflictError(_("This attachment was removed in the meantime."))
    storage, stored_name = attachment.file.storage, attachment.file.name
    # The file goes only once the row is gone for good: a rolled-back deletion keeps both.
    transaction.on_commit(lambda: storage.delete(stored_name))


def comment_text_validated(text) -> str:
    """The comment's text, stripped; a ValidationError naming `text` when it is empty or too long."""
    stripped = (text or "").strip() if isinstance(text, str) else ""
    if not stripped:
        raise ValidationError({"text": _("Write a comment.")})
    if len(stripped) > ReportComment.MAX_LENGTH:
        raise ValidationError(
            {"text": _("A comment has at most %(limit)s characters; this one has %(length)s.") % {
                "limit": ReportComment.MAX_LENGTH, "length": len(stripped)}}
        )
    return stripped


@transaction.atomic
def comment_add(*, report: AnnualReport, by, text: str) -> ReportComment:
    """Add a comment to the report's thread; anyone who works on the report may, in any state."""
    require(may_see_evidence(by, report), NOT_ON_THIS_REPORT)
    comment = ReportComment.objects.create(report=report, author=by, text=comment_text_validated(text))
    comment_notify(comment=comment)
    return comment

