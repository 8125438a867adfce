"""Administrators' list pages: the number of queries does not grow with the rows shown."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.identity import services

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("admin_fixture", "url"),
    [
        ("system_admin", "/account/users/"),
        ("security_admin", "/account/security/keys/"),
        ("security_admin", "/account/security/tokens/"),
    ],
)
def test_list_pages_run_a_constant_number_of_queries(request, client, make_user, admin_fixture, url):
    client.force_login(request.getfixturevalue(admin_fixture))
    for i in range(5):
        services.api_token_create(actor=None, user=make_user(f"few{i}"), name=f"t{i}")
    few = count_queries(client, url)
    for i in range(25):
        services.api_token_create(actor=None, user=make_user(f"many{i}"), name=f"t{i}")
    assert count_queries(client, url) == few
