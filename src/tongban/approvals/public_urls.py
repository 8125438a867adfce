"""The public service hall (/ban/, 网上办事大厅): the service guide, the public account,
applying, my cases and the progress lookup. Nothing here needs or accepts a staff login."""

from tongban.approvals import urls_applying, urls_guide

app_name = "ban"
urlpatterns = [*urls_guide.urlpatterns, *urls_applying.urlpatterns]
