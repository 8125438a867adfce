import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_requires_login(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert reverse("identity:login") in response["Location"]


def test_large_text_toggle_sets_cookie_and_refuses_offsite_redirect(client):
    response = client.post(reverse("core:large_text"), {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["tb_large_text"].value == "1"
