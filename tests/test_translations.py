"""Every user-facing string is marked for translation, and the Spanish catalogue is complete."""

import gettext
import re
import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from checkins.models import IntroSeen
from reminders import tasks
from reminders.models import ReminderSchedule
from sts_checkin.celery import app as celery_app

TEMPLATES = Path(settings.BASE_DIR) / "templates"
SPANISH_PO = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"

_BLOCKS = re.compile(r"{%\s*(blocktranslate|blocktrans)\b.*?{%\s*end(blocktranslate|blocktrans)\s*%}", re.S)
_TAGS = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_COMMENTS = re.compile(r"<!--.*?-->", re.S)
_NON_TEXT = re.compile(r"<(script|style|svg|code)\b.*?</\1>", re.S | re.I)
_USER_ATTRS = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"', re.I)
_ELEMENT = re.compile(r"<[^>]+>", re.S)
_WORD = re.compile(r"[A-Za-zÁÉÍÓÚáéíóúñÑ]{2,}")


def untranslated_text(source: str) -> list[str]:
    source = _COMMENTS.sub(" ", _BLOCKS.sub(" ", source))
    source = _NON_TEXT.sub(" ", source)
    attribute_texts = [_TAGS.sub(" ", value) for value in _USER_ATTRS.findall(source)]
    body = _TAGS.sub(" ", _ELEMENT.sub(" ", _TAGS.sub(" ", source)))
    found = []
    for chunk in [*attribute_texts, *body.splitlines()]:
        text = chunk.strip()
        if _WORD.search(text) and not text.startswith(("http", "&")):
            found.append(text)
    return found


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_untranslated_text(template):
    assert untranslated_text(template.read_text()) == []


def test_the_checker_notices_a_bare_string():
    assert untranslated_text("<p>Hello there</p>{% translate 'Fine' %}") == ["Hello there"]
    assert untranslated_text('<a aria-label="Close menu" href="#">{% translate "x" %}</a>') == ["Close menu"]
    assert untranslated_text("{% blocktranslate %}Fine too{% endblocktranslate %}") == []


def _entries(po_text: str) -> list[tuple[str, str, bool]]:
    entries = []
    for block in po_text.split("\n\n"):
        fuzzy = "#, fuzzy" in block
        msgid = "".join(re.findall(r'^(?:msgid|msgid_plural)? ?"(.*)"$', block.split("msgstr")[0], re.M))
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"(?:\n"(.*)")*', block, re.M)
        if "msgid" not in block or not msgid:
            continue
        text = "".join("".join(parts) for parts in msgstrs)
        entries.append((msgid, text, fuzzy))
    return entries


def test_every_spanish_message_is_translated():
    assert SPANISH_PO.exists(), "locale/es/LC_MESSAGES/django.po is missing"
    missing = [msgid for msgid, text, fuzzy in _entries(SPANISH_PO.read_text()) if fuzzy or not text.strip()]
    assert missing == []


def test_pages_follow_the_browser_language_then_the_saved_preference(db, alice):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    assert 'lang="es"' in client.get(reverse("login")).content.decode()
    client.force_login(alice)
    alice.language = "en"
    alice.save(update_fields=["language"])
    assert 'lang="en"' in client.get(reverse("profile")).content.decode()
    translation.activate("en")


@pytest.fixture
def spanish(settings):
    """The catalogue compiled as `make test` does; Django then reloads its cached catalogues."""
    call_command("compile_translations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # setting_changed drops Django's cached catalogues
    yield
    translation.activate("en")


def test_compiling_writes_a_catalogue_that_gettext_reads(settings, tmp_path):
    target = tmp_path / "es" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(SPANISH_PO, target / "django.po")
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_translations", verbosity=0)
    with open(target / "django.mo", "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    assert catalogue.gettext("Today's check-in") == "Registro de hoy"
    assert catalogue.ngettext("%(count)s week", "%(count)s weeks", 1) == "%(count)s semana"
    assert catalogue.ngettext("%(count)s week", "%(count)s weeks", 4) == "%(count)s semanas"


def test_a_member_who_prefers_spanish_sees_todays_check_in_in_spanish(db, spanish, client, alice):
    alice.language = "es"
    alice.save(update_fields=["language"])
    IntroSeen.objects.create(user=alice)
    client.force_login(alice)
    page = client.get(reverse("checkins:today"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="es"' in page
    for spanish_text in ["Registro de hoy", "Guardar mi registro", "Pausa", "Esto es una ayuda para reflexionar"]:
        assert spanish_text in page
    assert "Save my check-in" not in page


def test_a_spanish_speakers_reminder_email_is_in_spanish(
    db, spanish, organisation, team_a, alice, django_capture_on_commit_callbacks
):
    alice.language = "es"
    alice.save(update_fields=["language"])
    monday_morning = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
    with time_machine.travel(monday_morning, tick=False):
        ReminderSchedule.objects.create(organisation=organisation, team=team_a, local_time=time(16, 30))
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with (
            time_machine.travel(monday_morning + timedelta(hours=6, minutes=31), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            tasks.dispatch_due()
    finally:
        celery_app.conf.task_always_eager = eager
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert message.subject == "¿Un minuto para ti hoy?"
    assert "Hola, Alice:" in message.body and "Abrir el registro de hoy" in message.body
    assert "Abrir el registro de hoy" in html and "Open today's check-in" not in html
