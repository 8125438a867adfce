"""Sign-in (签到) and attendance (出勤统计) pages of a meeting, mounted under /meetings/."""

from django.urls import URLPattern, path

from tongban.meetings import views_attendance as views

app_name = "meetings_attendance"
urlpatterns: list[URLPattern] = [
    # the fixed paths come before the phone page's <token>
    path("<int:pk>/signin/", views.console, name="console"),
    path("<int:pk>/signin/qr/", views.qr, name="qr"),
    path("<int:pk>/signin/qr/rotate/", views.rotate, name="rotate"),
    path("<int:pk>/signin/count/", views.count, name="count"),
    path("<int:pk>/signin/<str:token>/", views.signin, name="signin"),
    path("<int:pk>/attendance/", views.report, name="report"),
    path("<int:pk>/attendance/<int:attendee_id>/signin/", views.attendee_signin, name="attendee_signin"),
    path("<int:pk>/attendance/<int:attendee_id>/leave/", views.attendee_leave, name="attendee_leave"),
    path("<int:pk>/attendance/<int:attendee_id>/undo/", views.attendee_undo, name="attendee_undo"),
]
