from django.urls import path

from reports import evidence_views, inspection_views, return_views, views

urlpatterns = [
    path("hubs/<uuid:hub_id>/audit/", views.audit_trail, name="audit-trail"),
    path("hubs/<uuid:hub_id>/audit.csv", views.audit_trail_csv, name="audit-trail-csv"),
    path("hubs/<uuid:hub_id>/inspection-lists/", inspection_views.inspection_lists, name="inspection-lists"),
]

urlpatterns += [
    path("hubs/<uuid:hub_id>/returns/", return_views.returns_page, name="returns"),
    path("hubs/<uuid:hub_id>/returns/<uuid:return_id>/", return_views.return_detail, name="return-detail"),
    path(
        "hubs/<uuid:hub_id>/returns/<uuid:return_id>/download.<str:fmt>",
        return_views.return_download,
        name="return-download",
    ),
    path("returns/compare/", return_views.returns_compare, name="returns-compare"),
]

urlpatterns += [path("hubs/<uuid:hub_id>/evidence/", evidence_views.evidence_page, name="evidence")]
