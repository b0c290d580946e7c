"""The check-in can be added to a phone's home screen: a manifest, icons, and links to both."""

import json
import struct
from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse


def test_the_manifest_opens_the_check_in_like_an_app():
    manifest = json.loads(Path(finders.find("manifest.webmanifest")).read_text())
    assert manifest["start_url"] == reverse("checkins:today")
    assert manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        header = Path(path).read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", header[16:24])
        assert icon["sizes"] == f"{width}x{height}"
        sizes.add(width)
    assert {192, 512} <= sizes


def test_every_page_links_the_manifest_and_a_touch_icon(client, db):
    body = client.get(reverse("login")).content.decode()
    assert 'rel="manifest"' in body
    assert 'rel="apple-touch-icon"' in body
