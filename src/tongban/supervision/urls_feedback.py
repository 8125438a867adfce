"""Staff pages of the feedback part (/supervision/): complaints, follow-ups, performance."""

from django.urls import URLPattern, URLResolver, path

from tongban.supervision import views_feedback as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("complaints/", v.complaint_list, name="complaints"),
    path("complaints/new/", v.complaint_enter, name="complaint_enter"),
    path("complaints/<int:pk>/", v.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/forward/", v.complaint_forward, name="complaint_forward"),
    path("complaints/<int:pk>/statement/", v.complaint_state, name="complaint_state"),
    path("complaints/<int:pk>/answer/", v.complaint_answer, name="complaint_answer"),
    path("followups/", v.followup_list, name="followups"),
    path("followups/<int:pk>/", v.followup_detail, name="followup"),
    path("performance/", v.performance_page, name="performance"),
    path("performance/recompute/", v.performance_recompute, name="performance_recompute"),
    path("performance/policy/", v.performance_policy, name="performance_policy"),
    path("performance/export.xlsx", v.performance_export, name="performance_export"),
]
