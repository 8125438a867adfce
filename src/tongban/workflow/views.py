"""Pages of the process engine (being written)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


inbox_redirect = inbox = item_detail = item_action = instance_cc = people = _todo
delegations = delegation_revoke = definitions = definition_download = _todo
