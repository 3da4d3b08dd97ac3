"""The sign-in pages in German, French, Spanish and Japanese (docs/customization.md#languages).

Every page a user sees in the browser's FedCM popup (login, consent, connected
apps, errors, the getUserInfo button) is rendered through its view in each
shipped language, chosen from ``Accept-Language`` by ``LocaleMiddleware``, and
compared with the English rendering: no English text may be left in it. The
page states together show every entry of the catalog, so a missing or empty
translation of any entry fails a test here.

The catalog holds the user-facing strings only (the admin stays English). After
changing one, regenerate it from ``django_fedcm/`` with::

    django-admin makemessages -l de -l fr -l es -l ja --no-obsolete \\
        --ignore='admin/*' --ignore='checks/*' --ignore='contrib/*' \\
        --ignore='internal/*' --ignore='management/*' --ignore='migrations/*' \\
        --ignore='oauth/*' --ignore='rp/*' --ignore='templates/admin/*' \\
        --ignore='services/[!t]*' --ignore='services/t[!h]*' \\
        --ignore=apps.py --ignore=models.py
    django-admin compilemessages

and commit the ``.po`` and ``.mo`` files (pip installs need no gettext).
"""

from __future__ import annotations

import ast
import gettext
import json
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, RequestFactory
from django.utils import timezone, translation

import django_fedcm
from django_fedcm.models import ContinuationRequest, Grant, RelyingParty
from django_fedcm.services import continuations, keys
from django_fedcm.views.error import EXPLANATIONS
from tests.machine import require_program

pytestmark = pytest.mark.django_db

LOCALE = Path(django_fedcm.__file__).resolve().parent / "locale"
LANGUAGES = ("de", "fr", "es", "ja")
PLURAL_FORMS = {"de": 2, "fr": 2, "es": 2, "ja": 1}
HOST = "idp.test"
PASSWORD = "pw-alice-123"

#: Text that is data, not interface, and so the same in every language.
DATA = {
    "alice",
    "bob",
    "Demo RP",
    "Shop",
    "News",
    "https://rp.test",
    "idp.test",
    "example.com",
    *EXPLANATIONS,  # the error codes
}

#: Attributes whose values the user sees (or a script shows).
VISIBLE_ATTRIBUTES = {
    "alt",
    "aria-label",
    "placeholder",
    "title",
    "data-continue-label",
    "data-not-in-popup",
    "data-rejected",
}

#: Catalog entries no page shows: a 404's message (Django's 404 page does not
#: print it); the plural form is checked in the catalog tests instead.
NOT_ON_A_PAGE = {"No such connected app."}


# ------------------------------------------------------------------ reading pages


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.segments: list[str] = []
        self.lang = ""
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if tag == "html" and name == "lang":
                self.lang = value or ""
            if name in VISIBLE_ATTRIBUTES and value:
                self._add(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._add(data)

    def _add(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.segments.append(text)


@dataclass
class Page:
    lang: str
    segments: list[str] = field(default_factory=list)


def read_page(html: str) -> Page:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return Page(parser.lang, parser.segments)


def is_interface_text(segment: str) -> bool:
    return segment not in DATA and any(char.isalpha() for char in segment)


def english_left(english: list[Page], translated: list[Page]) -> list[str]:
    """Interface text of the English pages that the translated pages still show."""
    shown = {segment for page in translated for segment in page.segments}
    return sorted(
        {
            segment
            for page in english
            for segment in page.segments
            if is_interface_text(segment) and segment in shown
        }
    )


# ------------------------------------------------------------------ the pages


@dataclass
class World:
    """What the page scenarios need, created inside each rendering's transaction."""

    make_user: Callable[..., Any]
    make_rp: Callable[..., RelyingParty]
    make_grant: Callable[..., Any]
    make_key: Callable[..., Any]


def browser(lang: str) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=lang, HTTP_HOST=HOST)


def html_of(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response
    return str(response.content.decode())


def login_pages(world: World, lang: str) -> list[str]:
    world.make_user("alice", password=PASSWORD)
    world.make_user("bob")
    client = browser(lang)
    url = "/fedcm/login"
    pages = [
        html_of(client.get(url, {"login_hint": "alice", "domain_hint": "example.com"})),
        html_of(client.post(url, {"username": "", "password": ""})),
        html_of(client.post(url, {"username": "alice", "password": "wrong"})),
        # FEDCM_THROTTLE_ACCOUNT_FAILURES is 1 here: alice is locked out now.
        html_of(client.post(url, {"username": "alice", "password": PASSWORD}), 429),
    ]
    cache.clear()
    client.post(url, {"username": "alice", "password": PASSWORD})
    pages.append(html_of(client.get(url, {"next": "/account/"})))
    pages.append(html_of(client.get(url, {"login_hint": "bob"})))
    return pages


def continuation_pages(world: World, lang: str) -> list[str]:
    alice = world.make_user("alice")
    rp = world.make_rp()
    client = browser(lang)
    client.force_login(alice)
    request = RequestFactory().get("/", HTTP_HOST=HOST)

    def start(fields: tuple[str, ...] = ("name", "email", "tel", "username", "picture")) -> str:
        url = continuations.create(
            request,
            user=alice,
            relying_party=rp,
            origin="https://rp.test",
            account_id=str(alice.pk),
            nonce="n",
            params={},
            fields=set(fields),
        )
        return urlsplit(url).path

    pages = [html_of(client.get(start()))]
    rp.privacy_policy_url = ""
    rp.save()
    pages.append(html_of(client.get(start(()))))
    rp.privacy_policy_url, rp.terms_of_service_url = "https://rp.test/privacy", ""
    rp.save()
    pages.append(html_of(client.get(start())))
    pages.append(html_of(client.post(start(), {"action": "allow"}), 503))  # no signing key yet
    world.make_key()
    used = start()
    pages.append(html_of(client.post(used, {"action": "allow"})))
    pages.append(html_of(client.get(used), 410))
    pages.append(html_of(client.post(start(), {"action": "cancel"})))
    pages.append(html_of(client.post(start(), {"action": "maybe"}), 400))
    pages.append(html_of(client.get("/fedcm/continue/unknown"), 404))
    expired = start()
    ContinuationRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    pages.append(html_of(client.get(expired), 410))
    pages.append(html_of(browser(lang).get(start()), 403))  # signed out
    RelyingParty.objects.update(enabled=False)
    pages.append(html_of(client.get(start()), 403))
    return pages


def connected_apps_pages(world: World, lang: str) -> list[str]:
    alice, bob = world.make_user("alice"), world.make_user("bob")
    shop = world.make_rp("shop", "https://shop.test", "Shop")
    news = world.make_rp("news", "https://news.test", "News")
    world.make_grant(alice, shop, fields=("name", "email", "tel", "username", "picture"))
    world.make_grant(alice, news, fields=())
    client = browser(lang)
    client.force_login(alice)
    url = "/fedcm/connected-apps"
    pages = [html_of(client.get(url))]
    grant = Grant.objects.get(user=alice, relying_party=news)
    assert client.post(url, {"grant": grant.pk}).status_code == 303
    pages.append(html_of(client.get(url)))
    other = browser(lang)
    other.force_login(bob)
    pages.append(html_of(other.get(url)))
    return pages


def error_pages(world: World, lang: str) -> list[str]:
    client = browser(lang)
    return [html_of(client.get(f"/fedcm/error/{code}")) for code in EXPLANATIONS]


def user_info_pages(world: World, lang: str) -> list[str]:
    world.make_rp()
    return [html_of(browser(lang).get("/fedcm/user_info", {"client_id": "rp-client"}))]


PAGES: dict[str, Callable[[World, str], list[str]]] = {
    "login": login_pages,
    "continuation": continuation_pages,
    "connected_apps": connected_apps_pages,
    "error": error_pages,
    "user_info": user_info_pages,
}


@pytest.fixture
def world(
    fedcm_make_user: Callable[..., Any],
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_make_grant: Callable[..., Any],
    fedcm_make_key: Callable[..., Any],
    settings: Any,
) -> Iterator[World]:
    middleware = list(settings.MIDDLEWARE)
    # Where Django's docs put it: after sessions, before CommonMiddleware.
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "django.middleware.locale.LocaleMiddleware",
    )
    settings.MIDDLEWARE = middleware
    settings.FEDCM_THROTTLE_ACCOUNT_FAILURES = 1
    yield World(fedcm_make_user, fedcm_make_rp, fedcm_make_grant, fedcm_make_key)
    # LocaleMiddleware leaves the last request's language active in this thread.
    translation.deactivate()


@pytest.fixture
def render(world: World) -> Callable[[str, str], list[Page]]:
    """``render(page, lang)``: that page's states in ``lang``, nothing kept afterwards."""

    def run(name: str, lang: str) -> list[Page]:
        keys.clear_cache()
        cache.clear()
        with transaction.atomic():
            pages = [read_page(html) for html in PAGES[name](world, lang)]
            transaction.set_rollback(True)
        keys.clear_cache()
        cache.clear()
        return pages

    return run


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_fully_translated(
    render: Callable[[str, str], list[Page]], name: str, lang: str
) -> None:
    english = render(name, "en")
    translated = render(name, lang)
    assert {page.lang for page in english} == {"en"}
    assert {page.lang for page in translated} == {lang}
    assert english_left(english, translated) == []


def test_a_language_without_a_catalog_is_caught(render: Callable[[str, str], list[Page]]) -> None:
    # Italian: Django translates its own form labels, django-fedcm ships nothing.
    left = english_left(render("login", "en"), render("login", "it"))
    assert "Sign in" in left
    assert "Username" not in left  # Django's own catalog


def test_the_pages_show_every_catalog_entry(render: Callable[[str, str], list[Page]]) -> None:
    """Otherwise an entry could stay untranslated without a page above showing it."""
    shown = "\n".join(
        segment for name in PAGES for page in render(name, "en") for segment in page.segments
    )
    missing = [
        entry.msgid
        for entry in read_po(LOCALE / "de/LC_MESSAGES/django.po")
        if entry.msgid not in NOT_ON_A_PAGE
        and not any(
            all(part in shown for part in visible_parts(text))
            for text in (entry.msgid, entry.msgid_plural or entry.msgid)
        )
    ]
    assert missing == []


def visible_parts(msgid: str) -> list[str]:
    """The literal text of a message: markup and placeholders taken out."""
    text = re.sub(r"<[^>]+>", "\x00", msgid)
    text = re.sub(r"%\(\w+\)[sd]", "\x00", text)
    return [" ".join(part.split()) for part in text.split("\x00") if part.strip(" ():,.")]


# ------------------------------------------------------------------ the catalogs


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def read_po(path: Path) -> list[Entry]:
    """The entries of a ``.po`` file (header excluded)."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    current = ""

    def flush() -> None:
        nonlocal fields, flags
        if fields.get("msgid"):
            plural = sorted(k for k in fields if k.startswith("msgstr["))
            entries.append(
                Entry(
                    msgid=fields["msgid"],
                    msgctxt=fields.get("msgctxt"),
                    msgid_plural=fields.get("msgid_plural"),
                    msgstr=[fields[k] for k in plural] if plural else [fields.get("msgstr", "")],
                    flags=flags,
                )
            )
        fields, flags = {}, set()

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            flush()
        elif line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[current] += ast.literal_eval(line)
        else:
            current, _, value = line.partition(" ")
            fields[current] = ast.literal_eval(value)
    flush()
    return entries


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]|<[^>]+>", text))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(lang: str) -> None:
    path = LOCALE / lang / "LC_MESSAGES/django.po"
    header = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert f'"Language: {lang}\\n"' in header
    assert f"nplurals={PLURAL_FORMS[lang]};" in header
    assert "fuzzy" not in header
    entries = read_po(path)
    assert entries
    for entry in entries:
        assert "fuzzy" not in entry.flags, entry.msgid
        forms = PLURAL_FORMS[lang] if entry.msgid_plural else 1
        assert len(entry.msgstr) == forms, entry.msgid
        for text in entry.msgstr:
            assert text.strip(), f"{lang}: {entry.msgid!r} has no translation"
            # The same placeholders and the same markup (links keep their href).
            assert placeholders(text) == placeholders(entry.msgid), (lang, entry.msgid)


def compiled_catalog(mo: Path) -> dict[Any, str]:
    with mo.open("rb") as handle:
        catalog: dict[Any, str] = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return {key: value for key, value in catalog.items() if key != ""}


def expected_catalog(entries: list[Entry]) -> dict[Any, str]:
    catalog: dict[Any, str] = {}
    for entry in entries:
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural:
            catalog.update({(key, n): text for n, text in enumerate(entry.msgstr)})
        else:
            catalog[key] = entry.msgstr[0]
    return catalog


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalog_matches_the_po_file(lang: str) -> None:
    folder = LOCALE / lang / "LC_MESSAGES"
    assert compiled_catalog(folder / "django.mo") == expected_catalog(read_po(folder / "django.po"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_msgfmt_compiles_the_po_file_to_the_committed_mo(lang: str, tmp_path: Path) -> None:
    require_program("msgfmt")  # gettext
    folder = LOCALE / lang / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"
    # --check: format strings, header and plural forms, as compilemessages does not.
    subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(folder / "django.po")],
        check=True,
        capture_output=True,
    )
    assert compiled_catalog(compiled) == compiled_catalog(folder / "django.mo")


# ------------------------------------------------------------------ the scripts' text

STATIC = Path(django_fedcm.__file__).resolve().parent / "static/django_fedcm"

#: user_info.js in a fake page: argv = script, data-continue-label, the account's name.
USER_INFO_PAGE = """
const fs = require("fs"), vm = require("vm");
const [script, continueLabel, name] = process.argv.slice(1);
const label = {textContent: ""};
const elements = {
  "fedcm-user-info-data": {textContent: JSON.stringify({configURL: "c", clientId: "x"})},
  "fedcm-user-info-button": {getAttribute: () => continueLabel, addEventListener() {}},
  "fedcm-user-info-label": label,
};
const window = {IdentityProvider: {getUserInfo: async () => [{givenName: name}]}};
vm.runInNewContext(fs.readFileSync(script, "utf8"),
                   {window, document: {getElementById: (id) => elements[id]}});
setTimeout(() => process.stdout.write(label.textContent), 0);
"""

#: continuation.js on the "resolve" page: argv = script, the status element's
#: attributes (JSON), "missing" (no IdentityProvider) or "rejects".
CONTINUATION_PAGE = """
const fs = require("fs"), vm = require("vm");
const [script, attributes, browser] = process.argv.slice(1);
const attrs = JSON.parse(attributes);
const status = {textContent: "", getAttribute: (name) => (name in attrs ? attrs[name] : null)};
const data = {textContent: JSON.stringify({action: "resolve", token: "t", accountId: "1"})};
const elements = {"fedcm-status": status, "fedcm-continuation": data};
const window = browser === "missing" ? {} :
  {IdentityProvider: {resolve: () => Promise.reject(new Error("NotAllowedError"))}};
vm.runInNewContext(fs.readFileSync(script, "utf8"), {window, document: {
  readyState: "complete", getElementById: (id) => elements[id], querySelectorAll: () => [],
}});
setTimeout(() => process.stdout.write(status.textContent), 0);
"""


def run_node(program: str, *args: str) -> str:
    require_program("node")
    result = subprocess.run(
        ["node", "-e", program, *args], capture_output=True, text=True, timeout=30, check=True
    )
    return result.stdout


@pytest.mark.parametrize(
    ("continue_label", "name", "shown"),
    [
        ("{name} として続行", "$& Ann", "$& Ann として続行"),  # the name is not a pattern
        ("Weiter als {name}", "Ann", "Weiter als Ann"),
        ("Continue as", "Ann", "Continue as Ann"),  # a template overridden before {name}
    ],
)
def test_the_user_info_button_puts_the_name_where_the_language_wants_it(
    continue_label: str, name: str, shown: str
) -> None:
    script = str(STATIC / "user_info.js")
    assert run_node(USER_INFO_PAGE, script, continue_label, name) == shown


@pytest.mark.parametrize(
    ("browser_side", "attribute", "english"),
    [
        (
            "missing",
            "data-not-in-popup",
            "This page must be opened by the browser's sign-in dialog.",
        ),
        (
            "rejects",
            "data-rejected",
            "The browser did not accept the sign-in. Please start again from the site.",
        ),
    ],
)
def test_the_continuation_script_says_its_messages_in_the_page_language(
    browser_side: str, attribute: str, english: str
) -> None:
    script = str(STATIC / "continuation.js")
    translated = json.dumps({attribute: "Auf Deutsch"})
    assert run_node(CONTINUATION_PAGE, script, translated, browser_side) == "Auf Deutsch"
    assert run_node(CONTINUATION_PAGE, script, "{}", browser_side) == english


def test_a_cached_error_page_varies_with_the_language(world: World) -> None:
    # The help pages are public and cacheable: a shared cache must keep one per language.
    response = browser("de").get("/fedcm/error/server_error")
    assert "public" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]
    assert response["Content-Language"] == "de"
