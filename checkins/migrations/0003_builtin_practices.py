from django.db import migrations

# The built-in Reset practices every organisation sees (organisation empty).
BUILTIN = [
    ("breathing", "Slow breathing", "A few slow breaths, longer out than in.", 10),
    ("grounding", "Grounding", "Noticing five things you can see, hear or touch.", 20),
    ("movement", "Movement", "A stretch, a walk, shaking it off.", 30),
    ("humour", "Humour", "A laugh, with someone or on your own.", 40),
    ("time_outside", "Time outside", "Fresh air, a bit of sky or green.", 50),
    ("talked_with_colleague", "Talked with a colleague", "Sharing the load with someone who gets it.", 60),
    ("meaningful_moment", "Recalled a meaningful moment", "Remembering why the work matters to you.", 70),
    ("other", "Something else", "Anything else that helped you settle.", 90),
]


def add_builtin_practices(apps, schema_editor):
    Practice = apps.get_model("checkins", "Practice")
    for key, name, description, order in BUILTIN:
        Practice.objects.update_or_create(
            organisation=None, key=key, defaults={"name": name, "description": description, "order": order}
        )


def remove_builtin_practices(apps, schema_editor):
    Practice = apps.get_model("checkins", "Practice")
    Practice.objects.filter(organisation=None, key__in=[key for key, *_ in BUILTIN]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0002_intro_seen"),
    ]

    operations = [
        migrations.RunPython(add_builtin_practices, remove_builtin_practices),
    ]
