"""Staff pages of the leader and department mailboxes (/interaction/letters/)."""

from django.urls import path

from tongban.interaction import views_letters as v

app_name = "letters"
urlpatterns = [
    path("", v.index, name="index"),
    path("<int:pk>/", v.detail, name="detail"),
    path("<int:pk>/route/", v.route, name="route"),
    path("<int:pk>/return/", v.unit_return, name="return"),
    path("<int:pk>/reply/", v.reply, name="reply"),
    path("<int:pk>/review/", v.review, name="review"),
    path("<int:pk>/answer/", v.answer, name="answer"),
    path("<int:pk>/invalidate/", v.invalidate, name="invalidate"),
    path("<int:pk>/publish/", v.publish, name="publish"),
    path("<int:pk>/urge/", v.urge, name="urge"),
    path("attachments/<int:att_pk>/", v.attachment, name="attachment"),
]
