"""The same plain words for the same scale on every page, download and email.

Staff answered each sign from "0 = not at all" to "4 = a lot"; supervisor pages, the digest and
the downloads say the same, name the groups of signs by the signs the staff saw (never the
clinical names intrusion, avoidance, arousal) and call the bands lighter, noticeable and heavy.
Every score display carries `reflection_note()` once, near the score.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .insights import HIGH_FROM, MODERATE_FROM

SCALE = _("0 = not at all, 4 = a lot")

# The check-in's mean of its nine signs (`sts_index` in code).
INDEX_NAME = _("Average of the nine signs")
INDEX_LABEL = _("Average of the nine signs (0 = not at all, 4 = a lot)")
YOUR_INDEX = _("Your average of the nine signs")

# The four groups of signs (insights.CLUSTERS), named by the signs in them.
GROUP_NAMES = {
    "intrusion": _("Stories coming back uninvited"),
    "avoidance": _("Steering away, numb, hard to get going"),
    "arousal": _("Sleep not resting you, short fuse"),
    "exhaustion": _("Drained, body carrying it, guilty about resting"),
}

BAND_WORDS = {"low": _("Lighter"), "moderate": _("Noticeable"), "high": _("Heavy")}


def _cut_offs() -> str:
    return gettext(
        "Lighter is an average below %(noticeable)s; noticeable is %(noticeable)s up to %(heavy)s; "
        "heavy is %(heavy)s or more."
    ) % {"noticeable": number_format(MODERATE_FROM, 2), "heavy": number_format(HIGH_FROM, 2)}


def _reflection_note() -> str:
    return " ".join(
        [
            gettext("Our own reflection scale, not a validated measure, not a diagnosis."),
            gettext("Each sign runs from 0 = not at all to 4 = a lot."),
            _cut_offs(),
        ]
    )


cut_offs = lazy(_cut_offs, str)
reflection_note = lazy(_reflection_note, str)
