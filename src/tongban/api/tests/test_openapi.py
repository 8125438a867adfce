"""The API's contract: the OpenAPI document, documented errors, Chinese validation messages."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(client):
    user = get_user_model().objects.create_user(username="api_user", full_name="接口用户", password="x")
    client.force_login(user)
    return client


def test_openapi_document_lists_every_router_and_documents_401(client):
    doc = client.get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    for path in ("/api/v1/me", "/api/v1/calendar/add", "/api/v1/org/tree", "/api/v1/addressbook"):
        assert path in paths, path
    for path in (
        "/api/v1/workflow/inbox/{box}",
        "/api/v1/documents/",
        "/api/v1/incoming/",
        "/api/v1/notices/",
    ):
        assert path in paths, path
    anonymous = []
    for path, operations in paths.items():
        for method, op in operations.items():
            if op.get("security") == [] or ("security" not in op and not doc.get("security")):
                anonymous.append(f"{method.upper()} {path}")  # public on purpose (auth=None)
                continue
            assert "401" in op["responses"], f"{method.upper()} {path} does not document 401"
    # Public on purpose: anyone may check a sealed PDF (GB/T 33481 electronic seals); the public
    # side of the service hall (catalogue, progress lookup, registration, complaints) is under
    # /api/v1/public/ and nowhere else.
    assert "POST /api/v1/seals/verify" in anonymous
    strays = [a for a in anonymous if a != "POST /api/v1/seals/verify" and " /api/v1/public/" not in a]
    assert strays == []


def test_docs_page_loads_nothing_from_the_internet(client_in):
    body = client_in.get("/api/v1/docs").content.decode()
    assert "swagger-ui" in body
    assert "cdn." not in body and "unpkg" not in body and "https://" not in body


def test_parameter_of_the_wrong_type_gets_a_chinese_422(client_in):
    response = client_in.get("/api/v1/addressbook", {"page": "abc"})
    assert response.status_code == 422
    body = response.json()
    assert (
        body["code"] == "api.invalid"
        and body["detail"].startswith("请求参数不正确")
        and "page" in body["detail"]
    )


def test_refused_service_call_keeps_its_status_and_code(client_in):
    response = client_in.get("/api/v1/org/units/999999")
    assert response.status_code == 404
    assert response.json()["detail"]
