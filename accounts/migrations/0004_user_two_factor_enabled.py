from django.db import migrations, models


def fill_from_devices(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    with_device = set()
    for label in ("otp_totp.TOTPDevice", "otp_static.StaticDevice"):
        with_device |= set(apps.get_model(label).objects.filter(confirmed=True).values_list("user_id", flat=True))
    User.objects.filter(pk__in=with_device).update(two_factor_enabled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_organisation_retention"),
        ("otp_static", "0003_add_timestamps"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="two_factor_enabled",
            field=models.BooleanField(
                db_default=False, default=False, editable=False, verbose_name="two-step sign-in on"
            ),
        ),
        migrations.RunPython(fill_from_devices, migrations.RunPython.noop),
    ]
