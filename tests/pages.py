"""Reading built pages as a visitor does: the text shown, plus what link previews show."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path


class _VisibleText(HTMLParser):
    """What a reader sees: text outside scripts and styles, plus title, alt and preview text."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "img" and values.get("alt"):
            self.parts.append(values["alt"] or "")
        if tag == "meta" and (values.get("property") or values.get("name") or "").endswith(
            ("title", "description", "alt", "author", "site_name")
        ):
            self.parts.append(values.get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(path: Path) -> str:
    parser = _VisibleText()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(" ".join(parser.parts).split())
