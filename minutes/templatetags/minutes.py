"""`{% minutes_links meeting as links %}`: what the meeting page shows about minutes (2 queries, fixed), so the
meeting page includes templates/minutes/_meeting_links.html and its view needs no change."""

from django import template

from minutes.selectors import meeting_links

register = template.Library()


@register.simple_tag
def minutes_links(meeting):
    return meeting_links(meeting=meeting)
