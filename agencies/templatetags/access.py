"""Templates ask the one policy: `{% may "referral.re_rate" referral as can_re_rate %}`, with the page's access (put
in every page's context by agencies.context_processors.navigation)."""

from django import template

from agencies import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, action: str, obj=None) -> bool:
    return policy.may(context.get("access"), action, obj)
