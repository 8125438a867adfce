from django.urls import path

from tongban.workflow import views

app_name = "workflow"
urlpatterns = [
    path("", views.inbox_redirect, name="index"),
    path("inbox/todo/", views.inbox, {"box": "todo"}, name="todo"),
    path("inbox/done/", views.inbox, {"box": "done"}, name="done"),
    path("inbox/started/", views.inbox, {"box": "started"}, name="started"),
    path("inbox/toread/", views.inbox, {"box": "toread"}, name="toread"),
    path("inbox/read/", views.inbox, {"box": "read"}, name="read"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
    path("items/<int:item_id>/<str:action>/", views.item_action, name="item_action"),
    path("instances/<int:instance_id>/cc/", views.instance_cc, name="instance_cc"),
    path("people/", views.people, name="people"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:delegation_id>/revoke/", views.delegation_revoke, name="delegation_revoke"),
    path("definitions/", views.definitions, name="definitions"),
    path("errors/", views.errors, name="errors"),
    path("errors/<int:instance_id>/recover/", views.error_recover, name="error_recover"),
    path("definitions/<int:definition_id>/download/", views.definition_download, name="definition_download"),
]
