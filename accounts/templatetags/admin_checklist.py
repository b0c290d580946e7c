from django import template

from ..checklist import checklist_for

register = template.Library()


@register.inclusion_tag("admin/accounts/checklist.html", takes_context=True)
def organisation_checklist(context):
    """The checklist for an organisation admin's own organisation; nothing for anyone else."""
    user = context["request"].user
    if not (user.is_active and user.is_org_admin and user.organisation_id):
        return {"items": []}
    return {"items": checklist_for(user.organisation), "organisation": user.organisation}
