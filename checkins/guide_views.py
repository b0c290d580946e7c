"""Understanding STS: a short guide in our own words, one page per topic so a phone shows one at a time."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Topic:
    slug: str
    title: Promise
    summary: Promise

    @property
    def template(self) -> str:
        return f"guide/{self.slug}.html"


TOPICS: tuple[Topic, ...] = (
    Topic(
        "what-is-sts",
        _("What secondary traumatic stress is"),
        _("How the weight of other people’s trauma can show up in you."),
    ),
    Topic(
        "sts-burnout-moral-distress",
        _("STS, burnout and moral distress"),
        _("Three kinds of strain that often travel together, and why telling them apart helps."),
    ),
    Topic("not-a-failing", _("A hazard of the work, not a failing"), _("Why feeling it says nothing bad about you.")),
    Topic(
        "what-raises-the-risk",
        _("What raises the risk"),
        _("The kinds of work and circumstances that make it more likely."),
    ),
    Topic(
        "what-helps",
        _("What helps"),
        _("Pause, Reset, Nourish, supervision, boundaries, rest, colleagues — and the organisation’s part."),
    ),
    Topic(
        "getting-help", _("When and where to seek help"), _("Signs it is time to talk to someone, and who to turn to.")
    ),
)


@login_required
def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "guide/index.html", {"topics": TOPICS})


@login_required
def guide_topic(request: HttpRequest, slug: str) -> HttpResponse:
    slugs = [topic.slug for topic in TOPICS]
    if slug not in slugs:
        raise Http404
    position = slugs.index(slug)
    return render(
        request,
        TOPICS[position].template,
        {
            "topic": TOPICS[position],
            "number": position + 1,
            "total": len(TOPICS),
            "previous_topic": TOPICS[position - 1] if position > 0 else None,
            "next_topic": TOPICS[position + 1] if position + 1 < len(TOPICS) else None,
        },
    )
