"""`{% reflection_note %}`: the one sentence every score display carries (checkins.wording)."""

from django import template

from checkins import wording

register = template.Library()


@register.simple_tag
def reflection_note() -> str:
    return str(wording.reflection_note())


@register.simple_tag
def band_cut_offs() -> str:
    return str(wording.cut_offs())
