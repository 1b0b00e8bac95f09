"""Who may open the hub's reports that hold personal data: its accountable manager, or the deputy inside the
delegation period. Anyone else gets 404, the same answer as for no such hub."""

from django.http import Http404

from agencies import selectors as hub_selectors
from agencies.permissions import acts_as_manager


def hub_for_manager(request, hub_id):
    hub = hub_selectors.hub_for(request.user, hub_id)
    if not acts_as_manager(request.user, hub):
        raise Http404("No such hub")
    return hub
