"""URLs of the staff import pages, included from the project under /imports/."""

from django.urls import path

from villages import import_views

urlpatterns = [
    path("", import_views.import_upload, name="import-upload"),
    path("<int:pk>/", import_views.import_job, name="import-job"),
    path("<int:pk>/confirm/", import_views.import_job_confirm_view, name="import-job-confirm"),
    path("<int:pk>/errors.csv", import_views.import_job_errors, name="import-job-errors"),
    path("templates/<str:kind>.<str:extension>", import_views.import_template, name="import-job-template"),
]
