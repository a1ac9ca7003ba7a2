"""The forms of a bulk review: the selection sent from the review queue, and its confirmation."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.services.bulk_review import APPROVE, RETURN, bulk_review_limit

MAX_REPORT_ID = 2**63 - 1


class ReportIdsField(forms.Field):
    """The ids of the reports ticked in the queue (repeated `report` fields), each once, in the order sent."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        ids = []
        for raw in value:
            raw = str(raw).strip()
            if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= MAX_REPORT_ID:
                raise ValidationError(_("“%(value)s” is not a report number."), params={"value": raw[:20]})
            if int(raw) not in ids:
                ids.append(int(raw))
        return ids


class BulkReviewForm(forms.Form):
    """What the reviewer chose in the queue: the reports (or all the queue shows), the step and its comment."""

    SELECTED = "selected"
    ALL = "all"

    report = ReportIdsField(required=False)
    scope = forms.ChoiceField(
        choices=[(SELECTED, gettext_lazy("The reports ticked")), (ALL, gettext_lazy("All reports the queue shows"))],
        required=False,
    )
    action = forms.ChoiceField(
        choices=[(APPROVE, gettext_lazy("Approve")), (RETURN, gettext_lazy("Return to the county"))],
        error_messages={
            "required": gettext_lazy("Choose approve or return."),
            "invalid_choice": gettext_lazy("Choose approve or return."),
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One comment for every report; required for a return: say what the counties must correct."
        ),
    )

    @property
    def takes_all(self) -> bool:
        return self.cleaned_data.get("scope") == self.ALL

    def clean(self):
        cleaned = super().clean()
        cleaned["comment"] = (cleaned.get("comment") or "").strip()
        if cleaned.get("action") == RETURN and not cleaned["comment"]:
            self.add_error("comment", _("Say what the county must correct before it resubmits."))
        report_ids = cleaned.get("report")
        if report_ids is None:
            return cleaned
        if not self.takes_all and not report_ids:
            self.add_error("report", _("Tick at least one report, or choose all reports the queue shows."))
        limit = bulk_review_limit()
        if len(report_ids) > limit:
            self.add_error(
                "report",
                _(
                    "At most %(limit)s reports can be reviewed in one step; %(count)s were selected. Select "
                    "fewer and review the rest in a second step."
                )
                % {"limit": limit, "count": len(report_ids)},
            )
        return cleaned


class BulkReviewConfirmForm(BulkReviewForm):
    """The confirmation page's form: the listed reports by id, and the reviewer's tick that they checked them."""

    confirmed = forms.BooleanField(
        label=gettext_lazy("I have checked these reports and their data-quality warnings"),
        error_messages={"required": gettext_lazy("Tick the box to confirm, or go back to the review queue.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The confirmation names its reports one by one: "all the queue shows" was resolved on the page before.
        del self.fields["scope"]
        self.fields["action"].widget = forms.HiddenInput()
        self.fields["comment"].widget = forms.HiddenInput()
