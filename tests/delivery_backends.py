"""Stand-ins for the mail delivery tests: an SMTP server that hangs up, and a task queue that is down."""

import smtplib

from django.core.mail.backends import smtp
from django.db import OperationalError
from django_tasks.backends.base import BaseTaskBackend


class DisconnectingSMTPBackend(smtp.EmailBackend):
    """Django's SMTP backend (its timeout read from EMAIL_TIMEOUT) in front of a server that always hangs up.

    `timeouts` keeps the timeout of every connection that tried to send, for the test that EMAIL_TIMEOUT applies.
    """

    timeouts: list = []

    def send_messages(self, email_messages):
        DisconnectingSMTPBackend.timeouts.append(self.timeout)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class UnavailableTaskBackend(BaseTaskBackend):
    """A task backend whose queue cannot be reached, as the database backend when its database is down."""

    def enqueue(self, task, args, kwargs):
        raise OperationalError("could not connect to the task queue")

