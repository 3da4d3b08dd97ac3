"""Read an admin page's form the way a browser would submit it."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.test import Client


class FormValues(HTMLParser):
    """The values a browser would submit for the form with id ``form_id``."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, Any] = {}
        self.textarea: str | None = None
        self.select: str | None = None

    def add(self, name: str, value: str) -> None:
        if name in self.data:
            existing = self.data[name]
            self.data[name] = [*(existing if isinstance(existing, list) else [existing]), value]
        else:
            self.data[name] = value

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.add(a["name"], a.get("value", "on"))
            elif kind not in {"submit", "file", "button"}:
                self.add(a["name"], a.get("value", ""))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data[a["name"]] = ""
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.add(self.select, a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.data[self.textarea] += data.lstrip("\n") if not self.data[self.textarea] else data


def form_values(client: Client, url: str, form_id: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    parser = FormValues(form_id)
    parser.feed(response.content.decode())
    return parser.data
