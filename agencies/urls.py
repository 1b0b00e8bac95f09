from django.urls import path

from agencies import views

urlpatterns = [
    path("", views.home, name="home"),
    path("hubs/<uuid:hub_id>/", views.hub_profile, name="hub-profile"),
    path("hubs/<uuid:hub_id>/edit/", views.hub_edit, name="hub-edit"),
    path("hubs/<uuid:hub_id>/agencies/", views.hub_agencies, name="hub-agencies"),
    path("hubs/<uuid:hub_id>/agencies/add/", views.hub_agency_add, name="hub-agency-add"),
    path("hubs/<uuid:hub_id>/agreements/", views.hub_agreements, name="hub-agreements"),
    path(
        "hubs/<uuid:hub_id>/agreements/<uuid:document_id>/versions/",
        views.document_version_new,
        name="document-version-new",
    ),
    path(
        "hubs/<uuid:hub_id>/agreements/versions/<uuid:version_id>/file/",
        views.document_file,
        name="document-file",
    ),
    path(
        "hubs/<uuid:hub_id>/agreements/versions/<uuid:version_id>/signatures/",
        views.signature_new,
        name="signature-new",
    ),
    path("hubs/<uuid:hub_id>/funding/", views.hub_funding, name="hub-funding"),
    path("hubs/<uuid:hub_id>/funding/add/", views.funding_edit, name="funding-add"),
    path("hubs/<uuid:hub_id>/funding/<uuid:funding_id>/", views.funding_edit, name="funding-edit"),
    path("hubs/<uuid:hub_id>/people/", views.hub_people, name="hub-people"),
    path("hubs/<uuid:hub_id>/people/add/", views.role_grant, name="role-grant"),
    path("hubs/<uuid:hub_id>/people/<int:assignment_id>/revoke/", views.role_revoke, name="role-revoke"),
    path("hubs/<uuid:hub_id>/people/<int:assignment_id>/hand-over/", views.manager_hand_over, name="manager-hand-over"),
]
