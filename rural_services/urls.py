"""Web pages of the service network: points, centres, monthly activity, and the public map."""

from django.urls import path

from rural_services import views

app_name = "rural_services"

urlpatterns = [
    path("map/", views.public_map, name="map"),
    path("map/data.geojson", views.map_data, name="map_data"),
    path("service-points/", views.point_list, name="point_list"),
    path("service-points/export.<str:extension>", views.point_list_export, name="point_export"),
    path("service-points/new/", views.point_create_view, name="point_create"),
    path("service-points/<str:code>/", views.point_detail, name="point_detail"),
    path("service-points/<str:code>/edit/", views.point_edit_view, name="point_edit"),
    path("service-points/<str:code>/delete/", views.point_delete_view, name="point_delete"),
    path("service-points/<str:code>/activity/new/", views.activity_create_view, name="activity_create"),
    path("activity/<int:activity_id>/edit/", views.activity_edit_view, name="activity_edit"),
    path("activity/<int:activity_id>/delete/", views.activity_delete_view, name="activity_delete"),
    path("county-centres/", views.center_list, name="center_list"),
    path("county-centres/new/", views.center_create_view, name="center_create"),
    path("county-centres/<int:center_id>/edit/", views.center_edit_view, name="center_edit"),
    path("county-centres/<int:center_id>/delete/", views.center_delete_view, name="center_delete"),
]
