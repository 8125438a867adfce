"""The network checks against endpoints the test starts on loopback, and the target validation
(tests pin TONGBAN_NETMON_ALLOWED_NETWORKS to loopback)."""

from __future__ import annotations

import pytest

from tongban.core.errors import TongbanError
from tongban.netmon import checks
from tongban.netmon.testing import free_port, http_server, tcp_listener


def test_tcp_connect_to_a_listener_succeeds_with_latency() -> None:
    with tcp_listener() as port:
        out = checks.tcp_connect("127.0.0.1", port, 2.0)
    assert out.ok and out.latency_ms is not None and 0 <= out.latency_ms < 2000
    assert out.error == ""


def test_tcp_connect_to_a_closed_port_fails() -> None:
    out = checks.tcp_connect("127.0.0.1", free_port(), 2.0)
    assert not out.ok and out.latency_ms is None
    assert out.error  # e.g. "Connection refused"


def test_http_get_compares_the_status() -> None:
    with http_server() as base:
        ok = checks.http_get(f"{base}/ok", 200, 2.0)
        bad = checks.http_get(f"{base}/fail", 200, 2.0)
        expected_500 = checks.http_get(f"{base}/fail", 500, 2.0)
    assert ok.ok and ok.latency_ms is not None
    assert not bad.ok and "500" in bad.error and bad.latency_ms is not None
    assert expected_500.ok


def test_http_get_to_a_closed_port_fails() -> None:
    out = checks.http_get(f"http://127.0.0.1:{free_port()}/", 200, 2.0)
    assert not out.ok


@pytest.mark.skipif(
    not checks.icmp_mode(), reason="this machine allows no ICMP socket (ping_group_range, no CAP_NET_RAW)"
)
def test_icmp_echo_to_loopback() -> None:
    out = checks.icmp_echo("127.0.0.1", 2.0)
    assert out.ok, out.error
    assert out.latency_ms is not None and out.latency_ms < 2000


def test_run_never_raises_and_uses_the_spec() -> None:
    with tcp_listener() as port:
        spec = checks.Spec(1, "tcp", "127.0.0.1", port, "", 200, 1.0, True)
        assert checks.run(spec).ok
    assert not checks.run(checks.Spec(2, "bogus", "", None, "", 200, 1.0, True)).ok


def test_targets_outside_the_allowed_networks_are_refused_before_any_packet() -> None:
    assert checks.check_host("127.0.0.1") == "127.0.0.1"
    assert checks.check_host("localhost") == "localhost"
    for host in ("10.20.1.1", "8.8.8.8", "example.com", "2001:db8::1"):
        with pytest.raises(TongbanError) as exc:
            checks.check_host(host)
        assert exc.value.code == "netmon.host_not_allowed"
    # and at probe time too (defence in depth): nothing is sent
    out = checks.tcp_connect("10.20.1.1", 80, 1.0)
    assert not out.ok and "允许" in out.error


def test_host_and_url_syntax(settings: object) -> None:
    settings.TONGBAN_NETMON_ALLOWED_NETWORKS = []  # type: ignore[attr-defined]  # production default: any host
    assert checks.check_host("10.20.1.1") == "10.20.1.1"
    assert checks.check_host("gw.qsz.gov.cn") == "gw.qsz.gov.cn"
    for bad in ("", "a b", "-x.cn", "x..cn", "x" * 300, "http://x"):
        with pytest.raises(TongbanError):
            checks.check_host(bad)
    assert checks.check_url("https://10.20.1.1:8443/healthz") == "https://10.20.1.1:8443/healthz"
    for bad in (
        "ftp://x.cn/",
        "http://u:p@x.cn/",
        "http:///x",
        "http://x.cn:99999/",
        "http://x.cn/a b",
        "x.cn",
    ):
        with pytest.raises(TongbanError):
            checks.check_url(bad)
