"""Build the `AgendaDocument` of one assembly from the database, in one read transaction.

Why one read transaction: a document assembled while phones keep answering must not show an
item as adopted in one section and not in another. Everything the renderers need is read here
once, turned into the frozen values of `deliberation.agenda.document`, and never touched again;
the renderers stay pure. Vote results come from `voting.results.results_view` over the stored
ballots (the same function the results screens use), so the document cannot disagree with them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.errors import InvalidInput, NotFound
from assembly.models import Assembly, User
from assembly.runtime import Runtime
from assembly.services import (
    Actor,
    authorized,
    get_assembly,
    network_counts,
    network_keys,
)
from assembly.steps import Action
from assembly.text import clean_text
from assembly.thai_format import BUDDHIST_ERA_OFFSET, arabic_digits
from assembly.timeutil import thai_today
from deliberation import models as dm
from deliberation.agenda.consent import DEFAULT_RULE, DEFAULT_THRESHOLD, consent_results
from deliberation.agenda.document import (
    ANNEX_CHOICES,
    Activity,
    AdoptionRule,
    AgendaDocument,
    AgendaItem,
    ConsentCount,
    ConsentResult,
    Cover,
    DocumentOptions,
    Indicator,
    IssueResult,
    LastYear,
    MechanismMember,
    NetworkParticipation,
    NetworkShare,
    NetworkTurnout,
    Objection,
    Plan,
    Prioritisation,
    ProposalGroup,
    SetAsideVote,
    Signatory,
    TargetVirtue,
    Timing,
)
from deliberation.agenda.document import Proposal as DocProposal
from deliberation.agenda.render_csv import (
    indicators_csv,
    issues_csv,
    plans_csv,
    proposals_csv,
    render_csv,
)
from voting.methods import MethodConfigError, method_from_params
from voting.models import Vote, VoteOption
from voting.results import results_view
from voting.services import NOT_USED, counted_votes, latest_vote, stored_ballots, turnout_of

OTHER_PROPOSALS = "ข้อเสนออื่น ๆ ที่ยังไม่ได้จัดเป็นประเด็น"
# How each method's result value is named in the document's table header.
VALUE_LABELS = {
    "dot": "จำนวนจุด",
    "approval": "จำนวนเสียง",
    "score": "คะแนนรวม",
    "ranking": "คะแนนลำดับ",
    "budget": "คะแนนรวม",
}
# A vote's status as the console shows it (messages.po "open"/"closed"), for the votes CSV.
VOTE_STATUS_LABELS = {"draft": "กำลังเตรียม", "open": "เปิดอยู่", "closed": "ปิดแล้ว"}
STANDING_LABELS = {"counted": "นับผล", "trial": "ทดลอง", "discarded": "ยกเลิก", "": "ไม่ได้ระบุ"}
SUBJECT_NAMES = {"issues": "ประเด็น", "options": "คุณธรรมเป้าหมาย"}
COUNT_METHODS = frozenset({"dot", "approval"})  # their values are whole counts of votes


def method_name(kind: str, params: dict[str, Any]) -> str:
    """The method as the document names it, with its one number that matters."""
    if kind == "dot":
        return f"ลงคะแนนแบบติดจุด ({params.get('dots') or ''} จุดต่อคน)"
    if kind == "approval":
        limit = params.get("max_approvals")
        return f"ลงคะแนนเห็นชอบ (เลือกได้ไม่เกิน {limit} ประเด็น)" if limit else "ลงคะแนนเห็นชอบ"
    if kind == "score":
        return f"ให้คะแนน ๐ ถึง {params.get('max_score') or ''} ทุกประเด็น"
    if kind == "ranking":
        return "จัดอันดับความสำคัญ (นับคะแนนแบบบอร์ดา)"
    if kind == "budget":
        return f"แบ่งคะแนน {params.get('total') or ''} คะแนน"
    return kind


@dataclass(frozen=True)
class VoteFacts:
    """One vote with its results, as the document and the votes CSV need it."""

    vote: Vote
    labels: dict[str, str]  # option id -> label (the issue's current title where linked)
    issue_of: dict[str, int | None]
    results: dict[str, Any]


async def _vote_facts(session: AsyncSession, vote: Vote) -> VoteFacts | None:
    try:
        method = method_from_params(vote.method, vote.params)
    except MethodConfigError:
        return None
    options = list(
        await session.scalars(
            select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position)
        )
    )
    titles = dict(
        (
            await session.execute(
                select(dm.ProposalGroup.id, dm.ProposalGroup.title).where(
                    dm.ProposalGroup.id.in_([o.issue_id for o in options if o.issue_id])
                )
            )
        ).all()
    )
    labels = {
        str(o.id): titles.get(o.issue_id, o.label) if o.issue_id else o.label for o in options
    }
    results = results_view(method, list(labels.items()), await stored_ballots(session, vote.id))
    return VoteFacts(vote, labels, {str(o.id): o.issue_id for o in options}, results)


def _prioritisation(
    facts: VoteFacts, turnout: tuple[NetworkTurnout, ...] = (), note: str = ""
) -> Prioritisation:
    results = facts.results
    consensus = {line["option_id"]: line for line in results["consensus"]}
    issues = []
    for line in results["ranking"]:
        agreed = consensus.get(line["option_id"])
        support = (
            tuple(
                NetworkShare(
                    key, None if net["share"] is None else min(1.0, max(0.0, net["share"]))
                )
                for key, net in agreed["networks"].items()
            )
            if agreed
            else ()
        )
        issues.append(
            IssueResult(
                rank=int(line["rank"]),
                title=facts.labels.get(line["option_id"], line["label"]),
                value=float(line["value"]),
                support=support,
                consensus_score=None if agreed is None else float(agreed["consensus"]),
                consensus_rank=None if agreed is None else int(agreed["rank"]),
            )
        )
    return Prioritisation(
        method=method_name(facts.vote.method, dict(facts.vote.params or {})),
        voters=int(results["ballots"]),
        issues=tuple(issues),
        value_label=VALUE_LABELS.get(facts.vote.method, "คะแนน"),
        subject=SUBJECT_NAMES.get(facts.vote.subject, ""),
        turnout=turnout,
        note=note,
    )


def _virtues(facts: VoteFacts) -> tuple[TargetVirtue, ...]:
    counts = facts.vote.method in COUNT_METHODS
    return tuple(
        TargetVirtue(
            name=facts.labels.get(line["option_id"], line["label"]),
            votes=int(line["value"]) if counts else None,
            score=None if counts else float(line["value"]),
        )
        for line in facts.results["ranking"]
        if line["value"]
    )


def timing(value: dict[str, Any] | None) -> Timing:
    """A stored timing dict (see deliberation.agenda.drafting.check_timing) as a document Timing."""
    value = value or {}
    date = value.get("date")
    return Timing(
        months=tuple(int(m) for m in value.get("months") or () if 1 <= int(m) <= 12),
        fiscal_year=value.get("fiscal_year"),
        date=dt.date.fromisoformat(date) if date else None,
        note=str(value.get("note") or ""),
        quarter=value.get("quarter") if value.get("quarter") in (1, 2, 3, 4) else None,
    )


def _item(
    row: dm.AgendaItem,
    consent: dict[str, Any] | None,
    network_order: Sequence[str],
    last_year: Mapping[str, LastYear],
) -> AgendaItem:
    counts: tuple[ConsentCount, ...] = ()
    objections: tuple[Objection, ...] = ()
    if consent is not None:
        counts = tuple(
            ConsentCount(key, c["agree"], c["can_live_with"], c["object"])
            for key in sorted(
                consent["networks"],
                key=lambda k: network_order.index(k) if k in network_order else len(network_order),
            )
            if sum((c := consent["networks"][key]).values())
        )
        objections = tuple(
            Objection(o["network"], o["reason"], o.get("handling", ""), o.get("note", ""))
            for o in consent["objections"]
        )
    voted = bool(counts) or row.adopted
    return AgendaItem(
        title=row.title,
        goal=row.goal,
        virtues=tuple(row.virtues or ()),
        plans=tuple(
            Plan(
                name=plan["name"],
                activities=tuple(
                    Activity(
                        what=a["what"],
                        networks=tuple(a.get("networks") or ()),
                        agencies=tuple(a.get("agencies") or ()),
                        when=timing(a.get("when")),
                        budget=a.get("budget"),
                        funding=a.get("funding", ""),
                        lead_agency=a.get("lead_agency", ""),
                        contact=a.get("contact", ""),
                    )
                    for a in plan.get("activities") or ()
                ),
                lead_agency=plan.get("lead_agency", ""),
                contact=plan.get("contact", ""),
            )
            for plan in row.plans or ()
        ),
        indicators=tuple(
            Indicator(
                name=i["name"],
                unit=i.get("unit", ""),
                baseline=i.get("baseline", ""),
                target=i.get("target", ""),
                deadline=timing(i.get("deadline")),
                data_source=i.get("data_source", ""),
                network=i.get("network", ""),
                reporting_agency=i.get("reporting_agency", ""),
                last_year=last_year.get(i["name"]),
            )
            for i in row.indicators or ()
        ),
        consent=ConsentResult(row.adopted, counts, objections) if voted else None,
        mechanism=tuple(
            MechanismMember(
                m["network"], m.get("person", ""), m.get("organisation", ""), m.get("role", "")
            )
            for m in row.mechanism or ()
        ),
    )


async def _proposal_groups(
    session: AsyncSession, assembly_id: int, annex: str = "all"
) -> tuple[ProposalGroup, ...]:
    """The appendix's proposals: never hidden (moderated) ones or hidden groups; with annex
    "issues" only those in issues; "none": nothing."""
    if annex == "none":
        return ()
    keys = await network_keys(session, assembly_id)
    issues = list(
        await session.scalars(
            select(dm.ProposalGroup)
            .where(
                dm.ProposalGroup.assembly_id == assembly_id,
                dm.ProposalGroup.is_issue.is_(True),
                dm.ProposalGroup.hidden.is_(False),
            )
            .order_by(dm.ProposalGroup.position, dm.ProposalGroup.id)
        )
    )
    proposals = list(
        await session.scalars(
            select(dm.Proposal)
            .where(dm.Proposal.assembly_id == assembly_id, dm.Proposal.hidden.is_(False))
            .order_by(dm.Proposal.id)
        )
    )
    by_group: dict[int | None, list[DocProposal]] = {}
    issue_ids = {g.id for g in issues}
    for p in proposals:
        group = p.group_id if p.group_id in issue_ids else None
        by_group.setdefault(group, []).append(
            DocProposal(p.text, keys.get(p.network_id or 0, ""), p.support_count)
        )
    groups = [ProposalGroup(g.title or "-", tuple(by_group.get(g.id, ()))) for g in issues]
    if by_group.get(None) and annex != "issues":
        groups.append(ProposalGroup(OTHER_PROPOSALS, tuple(by_group[None])))
    return tuple(groups)


async def document_settings(session: AsyncSession, assembly_id: int) -> dm.AgendaDocumentSettings:
    """The organizer's background text and number options (defaults until saved)."""
    row = await session.get(dm.AgendaDocumentSettings, assembly_id)
    if row is not None:
        return row
    return dm.AgendaDocumentSettings(
        assembly_id=assembly_id,
        background="",
        organizer="",
        thai_numerals=True,
        buddhist_era=True,
        adoption_rule="no_objection",
        adoption_threshold=80,
        annex="all",
        proposed_by="",
        proposed_by_position="",
        endorsed_by="",
        endorsed_by_position="",
        announced_on=None,
        emblem=None,
    )


async def gather_document(
    session: AsyncSession,
    assembly_id: int,
    last_year: Mapping[int, Mapping[str, LastYear]] | None = None,
) -> AgendaDocument:
    """The whole document of an assembly; call inside one read transaction. `last_year`:
    {agenda item id: {indicator name: last year's values}} for the items carried over from
    last year's agenda (the follow-up knows them: `followup.continuity`)."""
    assembly: Assembly = await get_assembly(session, assembly_id)
    settings = await document_settings(session, assembly_id)
    creator = await session.get(User, assembly.created_by)
    counts = await network_counts(session, assembly)
    total = sum(n["joined"] for n in counts)
    participation = (
        tuple(
            NetworkParticipation(n["key"], n["name_th"], n["joined"], n["joined"] / total)
            for n in counts
        )
        if total
        else ()
    )
    issues_vote = await latest_vote(session, assembly_id, "issues")
    issues_facts = await _vote_facts(session, issues_vote) if issues_vote else None
    counted, set_aside = await _counted_and_set_aside(session, assembly)
    virtues_vote = await latest_vote(session, assembly_id, "options")
    virtues_facts = await _vote_facts(session, virtues_vote) if virtues_vote else None
    rows = list(
        await session.scalars(
            select(dm.AgendaItem)
            .where(dm.AgendaItem.assembly_id == assembly_id)
            .order_by(dm.AgendaItem.position, dm.AgendaItem.id)
        )
    )
    consent = await consent_results(session, assembly_id)
    order = [n["key"] for n in counts]
    carried = last_year or {}
    items = tuple(
        _item(row, consent.get(str(row.id)), order, carried.get(row.id, {})) for row in rows
    )
    virtues = normalised_virtues(
        (_virtues(virtues_facts) if virtues_facts else ())
        + tuple(TargetVirtue(name) for item in items for name in item.virtues)
    )
    items = tuple(
        dataclasses.replace(
            item, virtues=tuple(dict.fromkeys(canonical_virtue(v, virtues) for v in item.virtues))
        )
        for item in items
    )
    approval = (
        Signatory("ผู้เสนอ", settings.proposed_by or "", settings.proposed_by_position or ""),
        Signatory("ผู้เห็นชอบ", settings.endorsed_by or "", settings.endorsed_by_position or ""),
    )
    return AgendaDocument(
        cover=Cover(
            assembly_name=assembly.name,
            province=assembly.province,
            date=assembly.held_on,
            venue=assembly.venue,
            organizer=settings.organizer or (creator.display_name if creator else ""),
            background=settings.background,
        ),
        participation=participation,
        virtues=virtues,
        prioritisation=_prioritisation(issues_facts) if issues_facts else None,
        items=items,
        proposals=await _proposal_groups(session, assembly_id, settings.annex or "all"),
        options=DocumentOptions(
            thai_numerals=settings.thai_numerals, buddhist_era=settings.buddhist_era
        ),
        prepared_on=thai_today(),  # the date in Thailand, not in UTC
        votes=counted,
        set_aside=set_aside,
        rule=AdoptionRule(
            settings.adoption_rule or DEFAULT_RULE,
            int(settings.adoption_threshold or DEFAULT_THRESHOLD),
        ),
        approval=approval,
        annex=settings.annex if settings.annex in ANNEX_CHOICES else "all",
        announced_on=settings.announced_on,
        emblem=settings.emblem,
    )


async def _counted_and_set_aside(
    session: AsyncSession, assembly: Assembly
) -> tuple[tuple[Prioritisation, ...], tuple[SetAsideVote, ...]]:
    """Every counted vote's report, and the held votes that do not count (trial, discarded;
    once some vote is marked counted, also the unmarked ones). Votes are numbered in the
    order they were held."""
    held = list(
        await session.scalars(
            select(Vote)
            .where(Vote.assembly_id == assembly.id, Vote.status != "draft")
            .order_by(Vote.id)
        )
    )
    number = {vote.id: i for i, vote in enumerate(held, start=1)}
    counted_ids = {vote.id for vote in await counted_votes(session, assembly.id)}
    reports: list[Prioritisation] = []
    aside: list[SetAsideVote] = []
    for vote in held:
        facts = await _vote_facts(session, vote)
        if facts is None:
            continue
        if vote.id in counted_ids:
            turnout = await turnout_of(session, assembly, vote.id)
            note = ""
            if vote.seeded_from in number:
                note = f"(รอบที่สอง จากผลการลงคะแนนครั้งที่ {number[vote.seeded_from]})"
            reports.append(
                _prioritisation(
                    facts,
                    tuple(
                        NetworkTurnout(n["key"], int(n["joined"]), int(n["voted"]))
                        for n in turnout["networks"]
                    ),
                    note,
                )
            )
        elif vote.standing in NOT_USED or counted_ids:
            aside.append(
                SetAsideVote(
                    number[vote.id],
                    method_name(vote.method, dict(vote.params or {})),
                    int(facts.results["ballots"]),
                    vote.standing or "",
                )
            )
    return tuple(reports), tuple(aside)


_SPACES = re.compile(r"[\s\u200b]+")


def canonical_virtue(name: str, virtues: Sequence[TargetVirtue]) -> str:
    """The name the assembly's list uses for a virtue an item names ("สุจริต" → its longer
    form in the list); the name itself when the list has none like it."""
    key = _SPACES.sub("", name)
    for virtue in virtues:
        other = _SPACES.sub("", virtue.name)
        if key and (key in other or other in key):
            return virtue.name
    return " ".join(name.split())


def normalised_virtues(virtues: Sequence[TargetVirtue]) -> tuple[TargetVirtue, ...]:
    """One list of target virtues: spaces ignored, a name contained in another one kept once
    ("สุจริต" in "ซื่อสัตย์สุจริต"), the vote result kept with whichever name carried it, in
    the order they first appear (the vote's ranking first)."""
    kept: list[TargetVirtue] = []
    for virtue in virtues:
        name = " ".join(virtue.name.split())
        key = _SPACES.sub("", name)
        if not key:
            continue
        for index, other in enumerate(kept):
            other_key = _SPACES.sub("", other.name)
            if key in other_key or other_key in key:
                longer = name if len(key) > len(other_key) else other.name
                kept[index] = TargetVirtue(
                    longer,
                    other.votes if other.votes is not None else virtue.votes,
                    other.score if other.score is not None else virtue.score,
                )
                break
        else:
            kept.append(TargetVirtue(name, virtue.votes, virtue.score))
    return tuple(kept)


VOTES_HEADER = (
    "รหัสการลงคะแนน",
    "เรื่องที่ลงคะแนน",
    "วิธีลงคะแนน",
    "สถานะ",
    "การนับผลในวาระ",
    "ผู้ลงคะแนน",
    "อันดับ",
    "ตัวเลือก",
    "ค่า",
    "ค่าฉันทามติ",
    "อันดับฉันทามติ",
)


async def vote_rows(session: AsyncSession, assembly_id: int) -> list[tuple[object, ...]]:
    """Every vote of the assembly, one row per option, for the votes CSV."""
    votes = await session.scalars(
        select(Vote).where(Vote.assembly_id == assembly_id).order_by(Vote.id)
    )
    rows: list[tuple[object, ...]] = []
    for vote in list(votes):
        facts = await _vote_facts(session, vote)
        if facts is None:
            continue
        consensus = {line["option_id"]: line for line in facts.results["consensus"]}
        subject = "ประเด็น" if vote.subject == "issues" else "ตัวเลือก"
        for line in facts.results["ranking"]:
            agreed = consensus.get(line["option_id"], {})
            rows.append(
                (
                    vote.id,
                    subject,
                    method_name(vote.method, dict(vote.params or {})),
                    VOTE_STATUS_LABELS.get(vote.status, vote.status),
                    STANDING_LABELS.get(vote.standing or "", vote.standing),
                    facts.results["ballots"],
                    line["rank"],
                    facts.labels.get(line["option_id"], line["label"]),
                    line["value"],
                    agreed.get("consensus"),
                    agreed.get("rank"),
                )
            )
    return rows


# ---------------------------------------------------------------- use cases of the export


CSV_TABLES = ("proposals", "issues", "votes", "indicators", "plans")


async def agenda_csv(rt: Runtime, *, actor: Actor, assembly_id: int, table: str) -> bytes:
    """One data table as CSV (UTF-8 with BOM): proposals, issues, votes or indicators."""
    if table not in CSV_TABLES:
        raise NotFound("not_found", "This page does not exist.")
    async with rt.read() as session:
        await authorized(session, assembly_id, actor, Action.VIEW_CONSOLE)
        if table == "votes":
            return render_csv(await vote_rows(session, assembly_id), VOTES_HEADER)
        doc = await gather_document(session, assembly_id)
    renderers = {
        "proposals": proposals_csv,
        "issues": issues_csv,
        "indicators": indicators_csv,
        "plans": plans_csv,
    }
    return renderers[table](doc)


MAX_BACKGROUND_CHARS = 10_000  # about four pages of TH Sarabun 16 pt


async def save_document_settings(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    background: str,
    organizer: str,
    thai_numerals: bool,
    buddhist_era: bool,
    annex: str | None = None,
    approval: dict[str, str] | None = None,
    announced_on: str | None = None,
) -> None:
    """The organizer's background text, printed organizer name and number options; the
    annex choice, the approval block (proposed_by, proposed_by_position, endorsed_by,
    endorsed_by_position) and the announcement's date when given (None: left as they are)."""
    if annex is not None and annex not in ANNEX_CHOICES:
        raise InvalidInput("invalid_annex", "Choose what the annex lists.")
    signatories = {
        key: _short(value, key) for key, value in (approval or {}).items() if key in APPROVAL_FIELDS
    }
    date: dt.date | None = None
    if announced_on:
        try:
            date = dt.date.fromisoformat(arabic_digits(announced_on).strip())
        except ValueError as exc:
            raise InvalidInput("invalid_date", "Please enter a valid date.") from exc
        if date.year > 2400:  # typed in the Buddhist era
            date = date.replace(year=date.year - BUDDHIST_ERA_OFFSET)
    text = clean_text(background or "")
    if len(text) > MAX_BACKGROUND_CHARS:
        raise InvalidInput(
            "background_too_long",
            "This text is too long: at most %(limit)s characters.",
            limit=MAX_BACKGROUND_CHARS,
        )
    name = clean_text(organizer or "").replace("\n", " ")
    if len(name) > MAX_ORGANIZER_CHARS:
        raise InvalidInput(
            "organizer_too_long",
            "This text is too long: at most %(limit)s characters.",
            limit=MAX_ORGANIZER_CHARS,
        )
    async with rt.transaction() as (session, _):
        await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        row = await session.get(dm.AgendaDocumentSettings, assembly_id)
        if row is None:
            row = dm.AgendaDocumentSettings(assembly_id=assembly_id)
            session.add(row)
        row.background = text
        row.organizer = name
        row.thai_numerals = thai_numerals
        row.buddhist_era = buddhist_era
        if annex is not None:
            row.annex = annex
        for key, value in signatories.items():
            setattr(row, key, value)
        if announced_on is not None:
            row.announced_on = date


APPROVAL_FIELDS = ("proposed_by", "proposed_by_position", "endorsed_by", "endorsed_by_position")
MAX_EMBLEM_BYTES = 2_000_000
PNG, JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"


def _readable_image(image: bytes) -> bool:
    """Whether the DOCX writer can place the image (a damaged file would be left out)."""
    from docx.image.image import Image

    try:
        Image.from_blob(image)
    except Exception:
        return False
    return True


def _short(value: str, field: str) -> str:
    text = clean_text(value or "").replace("\n", " ").strip()
    if len(text) > MAX_ORGANIZER_CHARS:
        raise InvalidInput(
            f"{field}_too_long",
            "This text is too long: at most %(limit)s characters.",
            limit=MAX_ORGANIZER_CHARS,
        )
    return text


async def save_emblem(
    rt: Runtime, *, actor: Actor, assembly_id: int, image: bytes | None, remove: bool = False
) -> None:
    """The emblem for the announcement's head (PNG or JPEG, at most 2 MB), or `remove` it."""
    async with rt.transaction() as (session, _):
        await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        if not remove:
            if image is None or not image.startswith((PNG, JPEG)) or not _readable_image(image):
                raise InvalidInput("emblem_not_image", "Choose a PNG or JPEG image.")
            if len(image) > MAX_EMBLEM_BYTES:
                raise InvalidInput("emblem_too_large", "The image is too large: at most 2 MB.")
        row = await session.get(dm.AgendaDocumentSettings, assembly_id)
        if row is None:
            row = await document_settings(session, assembly_id)
            session.add(row)
        row.emblem = None if remove else image


MAX_ORGANIZER_CHARS = 200


async def read_document_settings(rt: Runtime, *, assembly_id: int) -> dict[str, Any]:
    """The export page's form values (the page itself checks who may see it)."""
    async with rt.read() as session:
        row = await document_settings(session, assembly_id)
        return {
            "background": row.background,
            "organizer": row.organizer,
            "thai_numerals": row.thai_numerals,
            "buddhist_era": row.buddhist_era,
            "annex": row.annex or "all",
            **{key: getattr(row, key) or "" for key in APPROVAL_FIELDS},
            "announced_on": row.announced_on.isoformat() if row.announced_on else "",
            "emblem": row.emblem is not None,
            "adoption_rule": row.adoption_rule or DEFAULT_RULE,
            "adoption_threshold": row.adoption_threshold or DEFAULT_THRESHOLD,
        }
