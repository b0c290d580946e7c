import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """One digest delivery per supervisor and published week.

    `digest_sent_at` becomes `digests_created_at`: a week whose digest already went out keeps
    its date, so no delivery is created for it and nobody gets it again after the upgrade.
    """

    dependencies = [
        ('supervision', '0005_change_rule_digests'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(
            model_name='publication',
            old_name='digest_sent_at',
            new_name='digests_created_at',
        ),
        migrations.AlterField(
            model_name='publication',
            name='digests_created_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='digests prepared'),
        ),
        migrations.CreateModel(
            name='DigestDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Waiting to be sent'), ('sending', 'Being sent'), ('sent', 'Sent'), ('failed', 'Failed'), ('skipped', 'Not needed any more')], default='pending', max_length=16, verbose_name='status')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                ('attempted_at', models.DateTimeField(blank=True, null=True, verbose_name='last attempt')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                ('publication', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='digest_deliveries', to='supervision.publication', verbose_name='published week')),
                ('supervisor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='digest_deliveries', to=settings.AUTH_USER_MODEL, verbose_name='supervisor')),
            ],
            options={
                'verbose_name': 'digest delivery',
                'verbose_name_plural': 'digest deliveries',
                'ordering': ['-publication__week', 'supervisor_id'],
                'indexes': [models.Index(condition=models.Q(('status__in', ['pending', 'sending'])), fields=['status'], name='digest_unfinished_idx')],
                'constraints': [models.UniqueConstraint(fields=('publication', 'supervisor'), name='digest_one_per_supervisor_week')],
            },
        ),
    ]
