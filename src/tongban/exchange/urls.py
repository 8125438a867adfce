from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from tongban.exchange import views

app_name = "exchange"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.targets, name="index"),
    path("clients/", views.clients, name="clients"),
    path("clients/<int:token_id>/revoke/", views.client_revoke, name="client_revoke"),
    path("targets/", views.targets, name="targets"),
    path("targets/new/", views.target_edit, name="target_new"),
    path("targets/<int:target_id>/", views.target_edit, name="target_edit"),
    path("targets/<int:target_id>/delete/", views.target_delete, name="target_delete"),
    path("targets/<int:target_id>/test/", views.target_test, name="target_test"),
    path("targets/<int:target_id>/push/", views.target_push, name="target_push"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:delivery_id>/", views.delivery_detail, name="delivery"),
    path("deliveries/<int:delivery_id>/requeue/", views.delivery_requeue, name="delivery_requeue"),
]
