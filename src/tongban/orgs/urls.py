from django.urls import path

from tongban.orgs import views

app_name = "orgs"
urlpatterns = [
    path("addressbook/", views.addressbook, name="addressbook"),
    path("admin/units/", views.unit_list, name="unit_list"),
    path("admin/units/new/", views.unit_create, name="unit_create"),
    path("admin/units/<int:unit_id>/", views.unit_edit, name="unit_edit"),
    path("admin/units/<int:unit_id>/offices/new/", views.office_create, name="office_create"),
    path("admin/offices/<int:office_id>/", views.office_edit, name="office_edit"),
    path("admin/offices/<int:office_id>/delete/", views.office_delete, name="office_delete"),
    path("admin/staff/", views.staff_list, name="staff_list"),
    path("admin/staff/new/", views.staff_create, name="staff_create"),
    path("admin/staff/<int:user_id>/", views.staff_edit, name="staff_edit"),
    path("admin/staff/<int:user_id>/posts/new/", views.post_add, name="post_add"),
    path("admin/posts/<int:post_id>/delete/", views.post_remove, name="post_remove"),
    path("admin/staff/<int:user_id>/duties/", views.duties_set, name="duties_set"),
    path("admin/import/", views.import_view, name="import"),
    path("admin/export/", views.export_view, name="export"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:grant_id>/revoke/", views.role_revoke, name="role_revoke"),
]
