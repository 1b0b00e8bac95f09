from django.urls import path

from reports import inspection_views, views

urlpatterns = [
    path("hubs/<uuid:hub_id>/audit/", views.audit_trail, name="audit-trail"),
    path("hubs/<uuid:hub_id>/audit.csv", views.audit_trail_csv, name="audit-trail-csv"),
    path("hubs/<uuid:hub_id>/inspection-lists/", inspection_views.inspection_lists, name="inspection-lists"),
]
