"""Staff pages of online interviews (/interaction/interviews/)."""

from django.urls import path

from tongban.interaction import views_interviews as views

app_name = "interviews"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/questions/", views.pending_fragment, name="questions"),
    path("<int:pk>/do/<slug:name>/", views.action, name="action"),
    path("questions/<int:qid>/moderate/", views.moderate, name="moderate"),
    path("questions/<int:qid>/answer/", views.answer, name="answer"),
]
