"""`manage.py send_queued_mail`: send the outgoing mail that is due, retries included (run it every few minutes)."""

from django.core.management.base import BaseCommand

from villages.mail_delivery import outbound_mail_send_due
from villages.models import OutboundMail

Status = OutboundMail.Status


class Command(BaseCommand):
    help = (
        "Send every queued notification that is due, including retries whose task was lost. Safe to run at any "
        "time and from several machines at once: each message is claimed before it is sent."
    )

    def handle(self, *args, **options):
        outcomes = outbound_mail_send_due()
        self.stdout.write(
            f"Sent {outcomes[Status.SENT]}; {outcomes[Status.QUEUED]} failed and will be retried; "
            f"{outcomes[Status.FAILED]} failed for the last time; {outcomes['taken']} taken by another worker."
        )
