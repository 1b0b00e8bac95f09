"""Where a webhook may point (decisions/addresses.py), as an integrator meets it at `POST /api/v1/webhooks/`: a
table of refused addresses, each answered 422 with the reason on `url` and nothing stored, and the ones accepted.
Hosts resolve from the fixed table of tests/hosts.py."""

import pytest
from django.test import override_settings

from decisions.addresses import AddressRefused, vet
from decisions.models import Webhook
from tests.decisions.test_api import api_token

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/webhooks/"

# (address, words the refusal must contain)
REFUSED = [
    # Schemes and the URL's form.
    ("http://public.example/hook", "https://"),
    ("ftp://public.example/hook", "https://"),
    ("file:///etc/passwd", "https://"),
    ("gopher://public.example/", "https://"),
    ("javascript:alert(1)", "https://"),
    ("//public.example/hook", "https://"),
    ("public.example/hook", "https://"),
    ("https://", "host name"),
    ("https://public.example/hook#frag", "fragment"),
    ("https://user:pass@public.example/hook", "user name and password"),
    ("https://user@public.example/hook", "user name and password"),
    ("https://public.example@10.0.0.1/", "user name and password"),
    # Ports.
    ("https://public.example:22/", "port 443"),
    ("https://10.0.0.1:22/", "port 443"),
    ("https://public.example:80/", "port 443"),
    ("https://public.example:8080/", "port 443"),
    ("https://public.example:99999/", "valid port"),
    # IPv4 literals.
    ("https://127.0.0.1/", "loopback"),
    ("https://127.1.2.3/", "loopback"),
    ("https://10.0.0.1/", "private"),
    ("https://172.16.5.4/", "private"),
    ("https://192.168.0.1/", "private"),
    ("https://169.254.169.254/latest/meta-data/", "link-local"),
    ("https://100.64.0.1/", "shared"),
    ("https://0.0.0.0/", "unspecified"),
    ("https://224.0.0.1/", "multicast"),
    ("https://240.0.0.1/", "reserved"),
    ("https://255.255.255.255/", "broadcast"),
    ("https://192.0.2.1/", "documentation"),
    ("https://198.18.0.1/", "benchmarking"),
    # Numbers that browsers and resolvers read as addresses.
    ("https://2130706433/", "decimal, octal or hex"),
    ("https://0177.0.0.1/", "decimal, octal or hex"),
    ("https://0x7f.1/", "decimal, octal or hex"),
    ("https://0x7f000001/", "decimal, octal or hex"),
    ("https://127.1/", "decimal, octal or hex"),
    ("https://017700000001/", "decimal, octal or hex"),
    # IPv6 literals.
    ("https://[::1]/", "loopback"),
    ("https://[::]/", "unspecified"),
    ("https://[::ffff:10.0.0.1]/", "10.0.0.1"),
    ("https://[::ffff:127.0.0.1]/", "127.0.0.1"),
    ("https://[::ffff:169.254.169.254]/", "169.254.169.254"),
    ("https://[::10.0.0.1]/", "IPv4-compatible"),
    ("https://[64:ff9b::a00:1]/", "10.0.0.1"),
    ("https://[2002:a00:1::1]/", "10.0.0.1"),
    ("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "Teredo"),
    ("https://[fc00::1]/", "private"),
    ("https://[fd12:3456::1]/", "private"),
    ("https://[fe80::1]/", "link-local"),
    ("https://[fe80::1%25eth0]/", "zone"),
    ("https://[fec0::1]/", "site-local"),
    ("https://[ff02::1]/", "multicast"),
    ("https://[2001:db8::1]/", "documentation"),
    # Names that resolve where webhooks may not go.
    ("https://localhost/", "loopback"),
    ("https://localhost:443/", "loopback"),
    ("https://127.0.0.1.nip.io/", "loopback"),
    ("https://metadata.example/", "169.254.169.254"),
    ("https://intranet.example/", "private"),
    ("https://mixed.example/", "192.168.1.10"),
    ("https://shared.example/", "shared"),
    ("https://mapped.example/", "10.0.0.1"),
    ("https://ula.example/", "private"),
    ("https://linklocal6.example/", "link-local"),
    ("https://no-such-host.invalid/", "could not be found"),
    # Local development addresses outside DEBUG.
    ("http://localhost:8000/hook", "https://"),
    ("http://127.0.0.1:8000/hook", "https://"),
]

ACCEPTED = [
    "https://public.example/hook",
    "https://police.example/mash?source=mash",
    "https://public.example:443/hook",
    "https://public.example:8443/hook",
    "https://v6.example/hook",
    "https://both.example/hook",
    "https://93.184.215.14/hook",
    "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook",
    "HTTPS://Public.Example/Hook",
]


def post(client, token, url):
    return client.post(WEBHOOKS, {"url": url}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def token(client, mash):
    return api_token(client, mash.hub, mash.police, scopes="webhooks:write")


def test_the_table_is_large_enough():
    assert len(REFUSED) >= 40 and len(ACCEPTED) >= 5


@pytest.mark.parametrize(("url", "why"), REFUSED, ids=[u for u, _ in REFUSED])
def test_a_refused_address_is_answered_422_with_the_reason_and_nothing_is_stored(client, token, url, why):
    response = post(client, token, url)
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    messages = [e["detail"] for e in errors if e["field"] == "url"] if isinstance(errors, list) else errors["url"]
    assert any(why in m for m in messages), messages
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("url", ACCEPTED)
def test_a_public_https_address_is_accepted(client, token, url):
    response = post(client, token, url)
    assert response.status_code == 201, response.content
    assert Webhook.objects.get().url == url


@override_settings(DEBUG=True)
@pytest.mark.parametrize("url", ["http://localhost:8000/hook", "http://127.0.0.1:9/hook", "https://localhost/hook"])
def test_in_debug_exactly_localhost_and_127_0_0_1_are_allowed(url):
    assert vet(url).host in ("localhost", "127.0.0.1")


@override_settings(DEBUG=True)
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1.nip.io/", "http://localhost.example/", "http://127.0.0.2/", "http://10.0.0.1/",
        "https://127.0.0.1.nip.io/", "http://[::1]/", "http://user:pass@localhost/",
    ],
)  # fmt: skip
def test_in_debug_nothing_else_local_is(url):
    with pytest.raises(AddressRefused):
        vet(url)


def test_a_name_is_checked_again_when_it_resolves_elsewhere(hosts):
    hosts["rebind.example"] = ["93.184.215.14"]
    assert vet("https://rebind.example/").addresses == ("93.184.215.14",)
    hosts["rebind.example"] = ["127.0.0.1"]
    with pytest.raises(AddressRefused, match="loopback"):
        vet("https://rebind.example/")


@pytest.fixture
def hosts(webhook_hosts):
    return webhook_hosts
