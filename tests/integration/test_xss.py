"""Script in every text field a person can type stays text in every rendering.

One assembly is filled through the real API with payloads in the proposal, the participant's
name and organisation, the assembly's name, province and venue, network names, step titles and
prompts, an issue title, vote option labels, agenda items (title, goal, virtues, plans,
activities, agencies, indicators, mechanism), a suggestion, an objection's reason and a staff
account's display name. Then every page (phone, console, presenter and organizer pages at every
step), every chart and every export (HTML, Markdown, CSV, DOCX, JSON) is parsed and checked: no
element, attribute or URL came from a payload, embedded JSON still parses and holds the text as
typed, and CSV cells that would start a formula are quoted.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import docx
import pytest

if TYPE_CHECKING:
    from conftest import Person, World

    from assembly.settings import Settings

# Each payload breaks out of a different context: element content, a quoted attribute, a
# <script> element holding JSON, a URL, a template language (Jinja, or a client-side one).
PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "{{7*7}} {% raw %}",
    "'><svg onload=alert(1)>",
)
# Cells a spreadsheet would run as a formula if written as typed.
FORMULAS = ('=HYPERLINK("http://x.invalid","y")', "@SUM(1+1)", "+1+1", "-1+1")
ALL = " ".join(PAYLOADS)
# Attributes whose value a person sees (or edits): a payload there is text too.
SHOWN_ATTRIBUTES = ("value", "placeholder", "title", "aria-label", "alt")
PASSWORD = "correct horse battery"


def typed(name: str, n: int = 0) -> str:
    """A field's text: a Thai label naming the field (to find it again) and one payload."""
    return f"ช่อง {name} {PAYLOADS[n % len(PAYLOADS)]}"


@dataclass
class Page(HTMLParser):
    """What a browser would build from the HTML: elements, attributes, script contents."""

    elements: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    scripts: list[tuple[dict[str, str | None], str]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    _in_script: dict[str, str | None] | None = None

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)


def assert_inert_html(html: str, where: str) -> str:
    """Parse as a browser would; return everything the page holds as text (data + JSON)."""
    page = Page()
    page.feed(html)
    page.close()
    for tag, attrs in page.elements:
        assert not (tag == "img" and attrs.get("src") == "x"), f"{where}: injected <img>"
        assert tag != "svg" or "onload" not in attrs, f"{where}: injected <svg>"
        for name, value in attrs.items():
            if name in SHOWN_ATTRIBUTES and value:
                page.text.append(value)
            assert not name.startswith("on"), f"{where}: event handler {name}={value!r} on <{tag}>"
            if name in ("href", "src", "action", "formaction") and value:
                assert not value.strip().lower().startswith("javascript:"), f"{where}: {value}"
    held = list(page.text)
    for attrs, body in page.scripts:
        if attrs.get("src"):
            assert attrs["src"].startswith("/static/"), f"{where}: script from {attrs['src']}"
            assert not body.strip(), f"{where}: a script with src and a body"
            continue
        # The only inline scripts are JSON data islands (the CSP forbids inline code anyway):
        # a payload's </script> did not end one early, or this would not parse.
        assert attrs.get("type") == "application/json", f"{where}: inline script {body[:80]!r}"
        held.append(json.dumps(json.loads(body), ensure_ascii=False))
    # A template expression that ran ({{7*7}} → 49) would make the typed text go missing: the
    # callers check that each text typed is held, as typed.
    return "\n".join(held)


def assert_inert_svg(svg: str, where: str) -> None:
    root = ET.fromstring(svg)  # an unescaped "<" in a label would make it malformed
    for element in root.iter():
        assert not element.tag.endswith("script"), f"{where}: <script> in SVG"
        assert not any(k.startswith("on") for k in element.attrib), f"{where}: handler in SVG"


def assert_quoted_formulas(body: bytes, where: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    for row in rows:
        for cell in row:
            if cell.lstrip().startswith(("=", "+", "-", "@")) and not _number(cell):
                pytest.fail(f"{where}: cell {cell!r} would run as a formula")
    return rows


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _create_staff(settings: Settings, username: str, display_name: str) -> None:
    from assembly.db import Database
    from assembly.runtime import DiscardEvents, Runtime
    from assembly.services import create_user

    async def create() -> None:
        db = Database(settings.resolved_database_url)
        try:
            rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
            await create_user(
                rt, username=username, display_name=display_name, role="facilitator",
                password=PASSWORD,
            )  # fmt: skip
        finally:
            await db.dispose()

    asyncio.run(create())


@dataclass
class Filled:
    world: World
    phones: list[Person]
    vote_ids: list[int]
    typed: list[str]


def fill_every_field(world: World, settings: Settings) -> Filled:
    """Every text field a person can set, through the API, each with a payload."""
    api = f"/api/v1/assemblies/{world.id}"
    org, fac = world.organizer, world.facilitator
    texts: list[str] = []

    def t(name: str) -> str:
        texts.append(typed(name, len(texts)))
        return texts[-1]

    ok(org.patch(api, json={"name": t("assembly"), "province": t("province"), "venue": t("venue")}))
    for key in ("government", "education"):
        ok(
            org.request(
                "PUT", f"{api}/networks/{key}", json={"name_th": t("network"), "name_en": t("net")}
            )
        )
    for step in world.assembly["steps"]:
        ok(
            org.patch(
                f"{api}/steps/{step['id']}",
                json={"kind": step["kind"], "title": t("step"), "prompt": t("prompt")},
            )
        )
    _create_staff(settings, "xss_fac", t("account"))
    ok(org.post(f"{api}/facilitators", json={"username": "xss_fac"}), 201)

    world.open("collect")
    phones = [
        world.phone("government", display_name=t("name"), organisation=t("org")),
        world.phone("education", display_name=t("name"), organisation=t("org")),
    ]
    written = [t("proposal"), t("proposal")]
    proposals = [
        ok(phones[i % 2].post(f"{api}/proposals", json={"text": text}), 201)["id"]
        for i, text in enumerate([*written, *FORMULAS])
    ]
    texts.extend(FORMULAS)
    ok(fac.patch(f"{api}/proposals/{proposals[1]}", json={"text": t("moderated")}))
    texts.remove(written[1])  # the moderator's text replaced it

    world.open("review")
    issues = []
    for members in (proposals[:2], proposals[2:]):
        state = ok(fac.post(f"{api}/proposals/{members[0]}/group", json={"group_id": "new"}))
        group = next(g for g in state["groups"] if members[0] in g["members"])
        for other in members[1:]:
            ok(fac.post(f"{api}/proposals/{other}/group", json={"group_id": group["id"]}))
        group = next(g for g in ok(fac.get(f"{api}/groups"))["groups"] if g["id"] == group["id"])
        title = t("issue") if not issues else FORMULAS[0]
        ok(
            fac.patch(
                f"{api}/groups/{group['id']}",
                json={"version": group["version"], "title": title, "is_issue": True},
            )
        )
        issues.append(group["id"])

    world.open("vote")
    labels = [t("option"), t("option"), FORMULAS[1]]
    votes = []
    for body in ({"subject": "issues"}, {"options": labels}):
        vote = ok(fac.post(f"{api}/votes", json={"method": "approval", **body}), 201)
        ok(fac.post(f"{api}/votes/{vote['id']}/open"))
        ballot = [o["id"] for o in vote["options"]]
        for seq, phone in enumerate(phones, start=len(votes) + 1):
            ok(
                phone.post(
                    f"{api}/votes/{vote['id']}/ballot", json={"ballot": ballot, "client_seq": seq}
                )
            )
        ok(fac.post(f"{api}/votes/{vote['id']}/close"))
        ok(fac.post(f"{api}/votes/{vote['id']}/reveal"))
        votes.append(vote)

    world.open("draft")
    items = ok(fac.post(f"{api}/agenda/items", json={"issue_ids": issues}), 201)
    items.append(ok(fac.post(f"{api}/agenda/items", json={"title": t("item")}), 201)[0])
    content = {
        "goal": t("goal"),
        "virtues": [t("virtue")],
        "plans": [
            {
                "name": t("plan"),
                "activities": [
                    {"what": t("activity"), "networks": ["government"], "agencies": [t("agency")]}
                ],
            }
        ],
        "indicators": [
            {
                "name": t("indicator"),
                "unit": t("unit"),
                "baseline": t("baseline"),
                "target": t("target"),
                "data_source": t("source"),
                "network": "government",
            },
            {"name": FORMULAS[2], "target": FORMULAS[3], "network": "education"},
        ],
        "mechanism": [
            {
                "network": "government",
                "person": t("person"),
                "organisation": t("morg"),
                "role": t("role"),
            },
        ],
    }
    for item in items:
        ok(
            fac.patch(
                f"{api}/agenda/items/{item['id']}", json={"version": item["version"], **content}
            )
        )
    ok(phones[0].post(f"{api}/agenda/group", json={"item_id": items[0]["id"]}))
    ok(
        phones[0].post(
            f"{api}/agenda/items/{items[0]['id']}/suggestions",
            json={"part": "goal", "text": t("suggestion")},
        ),
        201,
    )
    world.open("adopt")
    ok(
        phones[1].post(
            f"{api}/agenda/items/{items[0]['id']}/consent",
            json={"answer": "object", "reason": t("reason")},
        )
    )
    return Filled(world, phones, [v["id"] for v in votes], texts)


AGENDA_FIELDS = [[f] for f in ("goal", "plan", "activity", "indicator", "unit", "target")]
STEPS = ("collect", "review", "vote", "draft", "adopt")


def test_payloads_in_every_field_are_text_on_every_page(world: World, settings: Settings) -> None:
    filled = fill_every_field(world, settings)
    phone = filled.phones[0]
    seen = ""
    for kind in STEPS:
        world.open(kind)
        for who, url in (
            (phone, f"/a/{world.id}"),
            (world.facilitator, f"/console/{world.id}"),
            (world.facilitator, f"/present/{world.id}"),
            (world.organizer, f"/organize/{world.id}"),
            (world.organizer, "/organize"),
            (world.organizer, f"/organize/{world.id}/export"),
        ):
            response = who.get(url)
            assert response.status_code == 200, (url, response.text[:300])
            seen += assert_inert_html(response.text, f"{url} in {kind}")
    # Proof the check looked at the payloads: each text typed is held somewhere, as typed.
    # Participants' names and organisations are not shown on any page (they are in the exports).
    shown = [text for text in filled.typed if text.split(" ")[1:2] not in (["name"], ["org"])]
    missing = [text for text in shown if text not in seen]
    assert not missing, f"not rendered anywhere: {missing}"


def test_payloads_stay_text_in_charts_and_every_export(world: World, settings: Settings) -> None:
    filled = fill_every_field(world, settings)
    org = world.organizer

    def get(url: str) -> bytes:
        response = org.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        return response.content

    for vote_id in filled.vote_ids:
        for chart in ("ranking", "consensus", "turnout"):
            assert_inert_svg(get(f"/a/{world.id}/votes/{vote_id}/charts/{chart}").decode(), chart)
        for name in ("tally.csv", "ballots.csv"):
            assert_quoted_formulas(get(f"/a/{world.id}/votes/{vote_id}/export/{name}"), name)
        json.loads(get(f"/a/{world.id}/votes/{vote_id}/export/vote.json"))

    html = get(f"/organize/{world.id}/export.html").decode()
    held = assert_inert_html(html, "export.html")
    # The document writes numbers in Thai digits (an export option), in typed text too.
    arabic = held.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    markdown = get(f"/organize/{world.id}/export.md").decode()
    in_document = [text for text in filled.typed if text.split(" ")[1:2] in AGENDA_FIELDS]
    assert len(in_document) >= len(PAYLOADS)
    for text in in_document:
        assert text in arabic  # shown as typed...
    # ...and never as markup: every "<" in the Markdown is escaped, but the line breaks it
    # writes itself inside table cells.
    assert not re.findall(r"(?<!\\)<(?!br>)", markdown)
    assert "\\<script\\>alert(1)\\</script\\>" in markdown

    archive = json.loads(get(f"/organize/{world.id}/export-full.json"))  # every field typed
    dumped = json.dumps(archive, ensure_ascii=False)
    for text in filled.typed:
        assert json.dumps(text, ensure_ascii=False)[1:-1] in dumped

    document = docx.Document(io.BytesIO(get(f"/organize/{world.id}/export.docx")))
    words = "\n".join(p.text for p in document.paragraphs)
    words += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "<script>alert(1)</script>" in words  # text in a Word document, never markup

    cells = []
    for table in ("proposals", "issues", "votes", "indicators"):
        rows = assert_quoted_formulas(get(f"/organize/{world.id}/export/{table}.csv"), table)
        cells += [cell for row in rows for cell in row]
    for formula in FORMULAS:
        assert "'" + formula in cells, f"{formula} not found quoted in the CSV tables"


def test_csv_cells_hiding_a_formula_behind_whitespace_are_quoted() -> None:
    from deliberation.agenda.render_csv import neutralise

    for cell in ("\t=1+1", "\r=1+1", " =1+1", "\n@SUM(A1)", "＝1+1", "=1", "+1", "-1", "@a"):
        assert str(neutralise(cell)).startswith("'"), cell
    assert neutralise(-1) == -1  # numbers stay numbers
    assert neutralise("ข้อเสนอ = ดี") == "ข้อเสนอ = ดี"


def test_no_text_can_close_the_script_element_that_embeds_it() -> None:
    """The JSON islands are escaped by Jinja's tojson: `<`, `>`, `&` and `'` become \\u escapes,
    so no text can close the <script> element that holds them."""
    from assembly.web.app import template_environment

    env = template_environment()
    rendered = env.from_string("{{ value|tojson }}").render(value=ALL)
    assert "<" not in rendered
    assert json.loads(rendered) == ALL
