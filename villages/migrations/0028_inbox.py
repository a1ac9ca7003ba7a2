"""The in-app inbox: one notification per recipient, its text kept as catalogue entries, read or unread."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('villages', '0027_approval_levels'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('submitted', 'report submitted'), ('returned', 'report returned'), ('approved', 'report approved'), ('reopened', 'report reopened'), ('comment', 'new comment'), ('window_closing', 'reporting window closing'), ('lockout', 'account locked')], max_length=16, verbose_name='kind')),
                ('message', models.JSONField(default=dict, verbose_name='message')),
                ('link', models.CharField(blank=True, max_length=255, verbose_name='link')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
                ('report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='villages.annualreport', verbose_name='report')),
                ('township_report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='villages.townshipreport', verbose_name='township report')),
            ],
            options={
                'verbose_name': 'notification',
                'verbose_name_plural': 'notifications',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['recipient', '-created_at', '-id'], name='notification_inbox'), models.Index(condition=models.Q(('read_at__isnull', True)), fields=['recipient'], name='notification_unread')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['submitted', 'returned', 'approved', 'reopened', 'comment', 'window_closing', 'lockout'])), name='notification_kind_valid'), models.CheckConstraint(condition=models.Q(('report__isnull', True), ('township_report__isnull', True), _connector='OR'), name='notification_one_report_at_most')],
            },
        ),
    ]
