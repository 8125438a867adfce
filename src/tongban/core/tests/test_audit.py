import pytest

from tongban.core import audit
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_chain_verifies_and_detects_alteration():
    for i in range(5):
        audit.record("test.event", actor_name="tester", message=f"m{i}", new={"i": i})
    assert audit.verify().ok
    AuditRecord.objects.filter(seq=3).update(message="changed")
    result = audit.verify()
    assert not result.ok and result.first_broken_seq == 3
