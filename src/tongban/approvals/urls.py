"""Staff pages of the approvals domain (/approvals/): the catalogue and case handling."""

from tongban.approvals import urls_catalogue, urls_handling

app_name = "approvals"
urlpatterns = [*urls_catalogue.urlpatterns, *urls_handling.urlpatterns]
