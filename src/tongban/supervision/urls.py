"""Staff pages of electronic supervision (/supervision/)."""

from tongban.supervision import urls_feedback, urls_watch

app_name = "supervision"
urlpatterns = [*urls_watch.urlpatterns, *urls_feedback.urlpatterns]
