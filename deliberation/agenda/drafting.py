"""Use cases of the draft step: agenda items from issues, working groups, suggestions and their
supports, the facilitator's edits (one version per item) and accepting suggestions.

Why a version per item and not per field: an item is edited as one form (goal, virtues, plans,
activities, indicators, mechanism). An edit sent against an older version is refused with 409
`stale_edit` (so is one against a version the server never issued: the client is confused),
and what was sent is not lost: it is stored as a suggestion of part "conflict" next to the
item, so both texts stay and the facilitator merges them by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.errors import Conflict, InvalidInput, NotFound
from assembly.events import EventType, Outbox
from assembly.i18n import N_
from assembly.models import Assembly, Participant
from assembly.runtime import Runtime
from assembly.services import (
    Actor,
    authorized,
    current_step,
    network_keys,
)
from assembly.steps import Action, StepKind
from assembly.thai_format import (
    BUDDHIST_ERA_OFFSET,
    arabic_digits,
    fiscal_quarter,
    parse_months,
)
from assembly.timeutil import as_utc
from deliberation.agenda.consent import adoption_rule, check_rule, consent_results
from deliberation.agenda.items import (
    agenda_items,
    check_text,
    emit_agenda_changed,
    group_counts,
    item_in,
    item_view,
    items_view,
)
from deliberation.models import (
    AgendaItem,
    AgendaSuggestion,
    ConsentVote,
    ProposalGroup,
    SuggestionSupport,
    WorkingGroupMember,
)
from deliberation.proposals import CLIENT_KEY_PATTERN
from voting.services import ranked_issue_ids

MAX_TITLE_CHARS = 200
MAX_GOAL_CHARS = 1000  # "one or two sentences": a pasted report belongs in the background text
MAX_LINE_CHARS = 300  # a plan's name, an activity, an indicator's name, a person
MAX_SHORT_CHARS = 100  # unit, baseline, target, role
MAX_SUGGESTION_CHARS = 500
MAX_VIRTUES = 12
MAX_PLANS = 20
MAX_ACTIVITIES = 30  # per plan
MAX_INDICATORS = 30
MAX_MECHANISM = 40
MAX_AGENCIES = 10
MAX_BUDGET_BAHT = 10_000_000_000  # ten billion baht: beyond any provincial activity
# Funding sources offered on the forms; any other text is accepted as typed.
FUNDING_SOURCES = ("งบจังหวัด", "อปท.", "หน่วยงาน", "ภาคเอกชน", "ไม่ใช้งบประมาณ")
# Fiscal years are Buddhist era; a number below this was typed in the Common Era (2027).
MIN_BUDDHIST_YEAR = 2400
FISCAL_YEAR_RANGE = (2500, 2700)

PARTS = ("goal", "virtue", "plan", "activity", "indicator", "mechanism", "note")
CONFLICT = "conflict"  # an edit refused as stale, kept as a suggestion
OPEN, ACCEPTED, DISMISSED = "open", "accepted", "dismissed"


class StaleEdit(Conflict):
    """An edit made on an older version of the item, or on one never issued: both texts are
    kept (`kept` is the conflict suggestion holding yours; None when nothing was sent)."""

    def __init__(self, current: dict[str, Any], yours: dict[str, Any], kept: int | None) -> None:
        super().__init__(
            "stale_edit",
            N_(
                "Someone else changed this item while you were editing. Both versions are kept: "
                "yours is listed under the item as a suggestion. Please merge them and save again."
            ),
        )
        self.current = current
        self.yours = yours
        self.kept = kept


# ---------------------------------------------------------------- checking the content


def _line(value: object, field: str, limit: int = MAX_LINE_CHARS, **kw: bool) -> str:
    return check_text(value, field, limit, **kw).replace("\n", " ")


def _list(value: object, field: str, limit: int) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"invalid_{field}", "The request is incomplete or malformed.")
    if len(value) > limit:
        raise InvalidInput(
            f"too_many_{field}", "Too many entries: at most %(limit)s.", field=field, limit=limit
        )
    return value


def _dict(value: object, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"invalid_{field}", "The request is incomplete or malformed.")
    return value


def check_timing(value: object) -> dict[str, Any]:
    """{"months": [10, 11], "fiscal_year": 2570, "date": "2027-09-30", "note": ""}; months
    may also be text ("ต.ค.-ธ.ค."), a fiscal year typed in the Common Era is converted."""
    raw = _dict(value or {}, "timing")
    months_raw = raw.get("months") or []
    try:
        if isinstance(months_raw, str):
            months = list(parse_months(months_raw))
        elif isinstance(months_raw, list) and all(isinstance(m, int) for m in months_raw):
            if any(not 1 <= m <= 12 for m in months_raw):
                raise ValueError("month out of range")
            months = list(dict.fromkeys(months_raw))
        else:
            raise ValueError("months")
    except ValueError as exc:
        raise InvalidInput(
            "invalid_months", "Write months as numbers 1-12 or Thai month names, e.g. ต.ค.-ธ.ค."
        ) from exc
    fiscal_year = raw.get("fiscal_year")
    if isinstance(fiscal_year, str):
        fiscal_year = arabic_digits(fiscal_year).strip() or None
    if fiscal_year is not None:
        fiscal_year = check_fiscal_year(fiscal_year)
    date = raw.get("date") or None
    if date is not None:
        try:
            date = dt.date.fromisoformat(arabic_digits(str(date)).strip()).isoformat()
        except ValueError as exc:
            raise InvalidInput("invalid_date", "Please enter a valid date.") from exc
    quarter = raw.get("quarter")
    if isinstance(quarter, str):
        quarter = arabic_digits(quarter).strip() or None
    if quarter is not None:
        try:
            quarter = int(quarter)
        except (TypeError, ValueError):
            quarter = 0
        if not 1 <= quarter <= 4:
            raise InvalidInput("invalid_quarter", "The fiscal quarter is 1, 2, 3 or 4.")
        if any(fiscal_quarter(month) != quarter for month in months):
            raise InvalidInput(
                "quarter_months_mismatch",
                "The months are not in that fiscal quarter (quarter 1 is October to December).",
            )
    return {
        "months": months,
        "fiscal_year": fiscal_year,
        "date": date,
        "note": _line(raw.get("note"), "timing_note", MAX_SHORT_CHARS),
        "quarter": quarter,
    }


def check_fiscal_year(value: object) -> int:
    """A Buddhist-era fiscal year; one typed in the Common Era (2027) is converted."""
    try:
        year = value if isinstance(value, int) else int(arabic_digits(str(value)).strip())
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            "invalid_fiscal_year", "The fiscal year is a Buddhist-era year, e.g. 2570."
        ) from exc
    if year < MIN_BUDDHIST_YEAR:
        year += BUDDHIST_ERA_OFFSET
    if not FISCAL_YEAR_RANGE[0] <= year <= FISCAL_YEAR_RANGE[1]:
        raise InvalidInput(
            "invalid_fiscal_year", "The fiscal year is a Buddhist-era year, e.g. 2570."
        )
    return year


def check_whole_number(
    value: object,
    *,
    limit: int,
    code: str,
    message: str,
    units: tuple[str, ...] = ("บาท",),
    field: str | None = None,
) -> int | None:
    """A whole number typed any way a phone types it: "50,000", "๕๐๐๐๐", "1,200 คน", 50000
    (the `units` words dropped); blank is None; negative, NaN or over `limit` refused."""
    if value is None or value == "":
        return None

    def refused() -> InvalidInput:
        return InvalidInput(code, message, field=field) if field else InvalidInput(code, message)

    if isinstance(value, bool):
        raise refused()
    if isinstance(value, int | float):
        amount = float(value)
    else:
        text = arabic_digits(str(value)).replace(",", "")
        for unit in units:
            text = text.replace(unit, "")
        text = text.strip()
        if not text:
            return None
        try:
            amount = float(text)
        except ValueError as exc:
            raise refused() from exc
    if amount != amount or not 0 <= amount <= limit:  # NaN, negative, absurd
        raise refused()
    return round(amount)


def check_budget(value: object) -> int | None:
    """Baht as a whole number: "50,000", "๕๐๐๐๐" and 50000 are the same; blank is None."""
    return check_whole_number(
        value,
        limit=MAX_BUDGET_BAHT,
        code="invalid_budget",
        message=N_("Write the budget in baht, e.g. 50000."),
    )


def _networks(value: object, known: set[str]) -> list[str]:
    keys = [str(k).strip() for k in _list(value, "networks", 20) if str(k).strip()]
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise InvalidInput("unknown_network", "Choose networks of this assembly.")
    return list(dict.fromkeys(keys))


def _network(value: object, known: set[str]) -> str:
    key = str(value or "").strip()
    if key and key not in known:
        raise InvalidInput("unknown_network", "Choose networks of this assembly.")
    return key


def check_content(raw: dict[str, Any], known_networks: set[str]) -> dict[str, Any]:
    """The editable parts of an item, cleaned and checked; only the keys present are returned."""
    content: dict[str, Any] = {}
    if "title" in raw:
        content["title"] = _line(raw["title"], "title", MAX_TITLE_CHARS, required=True)
    if "goal" in raw:
        content["goal"] = check_text(raw["goal"], "goal", MAX_GOAL_CHARS)
    if "virtues" in raw:
        content["virtues"] = _check_virtues(raw["virtues"])
    if "plans" in raw:
        content["plans"] = _check_plans(raw["plans"], known_networks)
    if "indicators" in raw:
        content["indicators"] = _check_indicators(raw["indicators"], known_networks)
    if "mechanism" in raw:
        content["mechanism"] = _check_mechanism(raw["mechanism"], known_networks)
    return content


def _check_virtues(virtues: object) -> list[str]:
    if isinstance(virtues, str):
        virtues = [v for v in re.split(r"[,\n]", virtues)]
    names = [_line(v, "virtue", MAX_SHORT_CHARS) for v in _list(virtues, "virtues", 40)]
    return list(dict.fromkeys(n for n in names if n))[:MAX_VIRTUES]


def _check_plans(raw: object, known_networks: set[str]) -> list[dict[str, Any]]:
    plans = []
    for plan in _list(raw, "plans", MAX_PLANS):
        plan = _dict(plan, "plan")
        activities = [
            checked
            for activity in _list(plan.get("activities"), "activities", MAX_ACTIVITIES)
            if (checked := _check_activity(activity, known_networks)) is not None
        ]
        name = _line(plan.get("name"), "plan")
        if name or activities:
            if not name:
                raise InvalidInput("plan_required", "A plan with activities needs a name.")
            plans.append(
                {
                    "name": name,
                    "activities": activities,
                    "lead_agency": _line(plan.get("lead_agency"), "agency"),
                    "contact": _line(plan.get("contact"), "contact"),
                }
            )
    return plans


def _check_activity(raw: object, known_networks: set[str]) -> dict[str, Any] | None:
    """One activity of a plan; None for a row left without its `what`."""
    activity = _dict(raw, "activity")
    what = _line(activity.get("what"), "activity")
    if not what:
        return None
    agencies = [
        _line(a, "agency", MAX_LINE_CHARS)
        for a in _list(activity.get("agencies"), "agencies", MAX_AGENCIES)
    ]
    return {
        "what": what,
        "networks": _networks(activity.get("networks"), known_networks),
        "agencies": [a for a in agencies if a],
        "when": check_timing(activity.get("when")),
        "budget": check_budget(activity.get("budget")),
        "funding": _line(activity.get("funding"), "funding", MAX_SHORT_CHARS),
        "lead_agency": _line(activity.get("lead_agency"), "agency"),
        "contact": _line(activity.get("contact"), "contact"),
    }


def _check_indicators(raw: object, known_networks: set[str]) -> list[dict[str, Any]]:
    indicators = []
    for indicator in _list(raw, "indicators", MAX_INDICATORS):
        indicator = _dict(indicator, "indicator")
        name = _line(indicator.get("name"), "indicator")
        values = {
            key: _line(indicator.get(key), key, MAX_SHORT_CHARS)
            for key in ("unit", "baseline", "target")
        }
        source = _line(indicator.get("data_source"), "data_source")
        if not name:
            if any(values.values()) or source:
                raise InvalidInput("indicator_required", "An indicator needs a name.")
            continue
        indicators.append(
            {
                "name": name,
                **values,
                "deadline": check_timing(indicator.get("deadline")),
                "data_source": source,
                "network": _network(indicator.get("network"), known_networks),
                "reporting_agency": _line(indicator.get("reporting_agency"), "agency"),
            }
        )
    return indicators


def _check_mechanism(raw: object, known_networks: set[str]) -> list[dict[str, Any]]:
    members = []
    for member in _list(raw, "mechanism", MAX_MECHANISM):
        member = _dict(member, "member")
        row = {
            "network": _network(member.get("network"), known_networks),
            "person": _line(member.get("person"), "person"),
            "organisation": _line(member.get("organisation"), "organisation"),
            "role": _line(member.get("role"), "role", MAX_SHORT_CHARS),
        }
        if row["person"] or row["organisation"]:
            if not row["network"]:
                raise InvalidInput("member_network_required", "Choose the network of each person.")
            members.append(row)
    return members


# ---------------------------------------------------------------- views


def suggestion_view(suggestion: AgendaSuggestion, network: str | None) -> dict[str, Any]:
    return {
        "id": suggestion.id,
        "item_id": suggestion.item_id,
        "part": suggestion.part,
        "text": suggestion.text,
        "network": network,
        "supports": suggestion.support_count,
        "status": suggestion.status,
        "created_at": as_utc(suggestion.created_at).isoformat(),
    }


async def suggestions_view(
    session: AsyncSession, assembly_id: int, *, staff: bool
) -> list[dict[str, Any]]:
    """All suggestions for staff; participants see those not dismissed, conflicts excluded."""
    keys = await network_keys(session, assembly_id)
    query = select(AgendaSuggestion).where(AgendaSuggestion.assembly_id == assembly_id)
    if not staff:
        query = query.where(AgendaSuggestion.status != DISMISSED, AgendaSuggestion.part != CONFLICT)
    rows = await session.scalars(query.order_by(AgendaSuggestion.id))
    return [suggestion_view(s, keys.get(s.network_id or 0)) for s in rows]


async def agenda_for_snapshot(
    session: AsyncSession, assembly: Assembly, *, staff: bool
) -> dict[str, Any]:
    """`agenda` while a draft or adopt step is current (None otherwise): `items`,
    `suggestions`; for staff `consent` (results per item, per network, with objections)."""
    if not _drafting(assembly):
        return {"agenda": None}
    agenda: dict[str, Any] = {
        "items": await items_view(session, assembly.id),
        "suggestions": await suggestions_view(session, assembly.id, staff=staff),
    }
    if staff:
        agenda["consent"] = await consent_results(session, assembly.id)
        agenda["rule"] = await _rule_view(session, assembly.id, agenda["consent"])
    return {"agenda": agenda}


async def _rule_view(
    session: AsyncSession, assembly_id: int, consent: dict[str, Any]
) -> dict[str, Any]:
    """The adoption rule and, per item, what keeps it from being adopted under it."""
    rule, threshold = await adoption_rule(session, assembly_id)
    return {
        "rule": rule,
        "threshold": threshold,
        "problems": {key: check_rule(rule, threshold, result) for key, result in consent.items()},
    }


async def my_agenda(
    session: AsyncSession, assembly: Assembly, participant: Participant
) -> dict[str, Any]:
    """A phone's share of `agenda`, what its step shows: in a draft step `my_item`,
    `my_supports` and `my_suggestions` (ids of their own); in an adopt step `my_consents`
    ({item id: {answer, reason}})."""
    step = current_step(assembly)
    if step is None or step.kind not in (StepKind.DRAFT, StepKind.ADOPT):
        return {}
    if step.kind == StepKind.ADOPT:
        answers = await session.execute(
            select(ConsentVote.item_id, ConsentVote.answer, ConsentVote.reason).where(
                ConsentVote.participant_id == participant.id
            )
        )
        consents = {
            str(item): {"answer": a, "reason": r if a == "object" else ""}
            for item, a, r in answers.all()
        }
        return {"agenda": {"my_consents": consents}}
    my_item = await session.scalar(
        select(WorkingGroupMember.item_id).where(
            WorkingGroupMember.assembly_id == assembly.id,
            WorkingGroupMember.participant_id == participant.id,
        )
    )
    supported = await session.scalars(
        select(SuggestionSupport.suggestion_id).where(
            SuggestionSupport.participant_id == participant.id
        )
    )
    own = await session.scalars(
        select(AgendaSuggestion.id).where(
            AgendaSuggestion.assembly_id == assembly.id,
            AgendaSuggestion.participant_id == participant.id,
        )
    )
    return {
        "agenda": {
            "my_item": my_item,
            "my_supports": sorted(supported.all()),
            "my_suggestions": sorted(own.all()),
        }
    }


async def agenda_holders(session: AsyncSession, assembly: Assembly) -> set[int] | None:
    """Who has a part in `my_agenda` in the current step (None outside draft and adopt), so a
    step change's view tells every other phone its part is empty without each asking."""
    step = current_step(assembly)
    if step is None or step.kind not in (StepKind.DRAFT, StepKind.ADOPT):
        return None
    if step.kind == StepKind.ADOPT:
        answered = await session.scalars(
            select(ConsentVote.participant_id)
            .join(AgendaItem, AgendaItem.id == ConsentVote.item_id)
            .where(AgendaItem.assembly_id == assembly.id)
        )
        return set(answered.all())
    members = await session.scalars(
        select(WorkingGroupMember.participant_id).where(
            WorkingGroupMember.assembly_id == assembly.id
        )
    )
    supporters = await session.scalars(
        select(SuggestionSupport.participant_id)
        .join(AgendaSuggestion, AgendaSuggestion.id == SuggestionSupport.suggestion_id)
        .where(AgendaSuggestion.assembly_id == assembly.id)
    )
    authors = await session.scalars(
        select(AgendaSuggestion.participant_id).where(
            AgendaSuggestion.assembly_id == assembly.id,
            AgendaSuggestion.participant_id.is_not(None),
        )
    )
    holders = set(members.all()) | set(supporters.all())
    return holders | {int(i) for i in authors.all() if i is not None}


def _drafting(assembly: Assembly) -> bool:
    step = current_step(assembly)
    return step is not None and step.kind in (StepKind.DRAFT, StepKind.ADOPT)


async def _emit_suggestion(
    outbox: Outbox, suggestion: AgendaSuggestion, network: str | None
) -> None:
    """`agenda.suggestion`: one suggestion, new or changed; participants never see conflicts
    or dismissed ones (they get a bare tick)."""
    view = suggestion_view(suggestion, network)
    public = (
        {"suggestion": view}
        if suggestion.part != CONFLICT and suggestion.status != DISMISSED
        else {"suggestion": {"id": suggestion.id, "item_id": suggestion.item_id, "gone": True}}
        if suggestion.part != CONFLICT
        else None
    )
    await outbox.emit(
        suggestion.assembly_id, EventType.AGENDA_SUGGESTION, {"suggestion": view}, public
    )


# ---------------------------------------------------------------- staff: items


async def create_agenda_items(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    issue_ids: Sequence[int] = (),
    top: int | None = None,
    title: str | None = None,
) -> list[dict[str, Any]]:
    """Turn issues into agenda items: the ones named, or the `top` n of the issues vote, or
    one item with a title of its own. An issue that already has an item is skipped."""
    if top is not None and not 1 <= top <= MAX_PLANS:
        raise InvalidInput("invalid_top", "Choose between 1 and 20 issues.")
    own_title = _line(title, "title", MAX_TITLE_CHARS) if title is not None else ""
    if not issue_ids and top is None and not own_title:
        raise InvalidInput("no_issues_chosen", "Choose at least one issue, or give a title.")
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.EDIT_DRAFT)
        chosen = list(dict.fromkeys(issue_ids))
        ranked = await ranked_issue_ids(session, assembly.id)
        if top is not None:
            if not ranked:
                raise Conflict(
                    "no_vote_results", "There are no vote results on issues yet. Choose issues."
                )
            chosen += [i for i in ranked[:top] if i not in chosen]
        # Items follow the vote's result, whatever order the issues were ticked or listed in;
        # issues the vote did not rank come after, in the order given.
        place = {issue_id: index for index, issue_id in enumerate(ranked)}
        chosen.sort(key=lambda issue_id: place.get(issue_id, len(place)))
        existing = await agenda_items(session, assembly.id)
        taken = {i.issue_id for i in existing}
        position = max((i.position for i in existing), default=-1) + 1
        created: list[AgendaItem] = []
        for issue_id in chosen:
            group = await session.get(ProposalGroup, issue_id)
            if group is None or group.assembly_id != assembly.id or not group.is_issue:
                raise NotFound("issue_not_found", "This issue does not exist.")
            if issue_id in taken:
                continue
            created.append(_new_item(assembly.id, position, group.title or "-", issue_id))
            position += 1
        if own_title:
            created.append(_new_item(assembly.id, position, own_title, None))
        session.add_all(created)
        if created:
            await emit_agenda_changed(outbox, assembly.id)
        return [item_view(i) for i in created]


def _new_item(assembly_id: int, position: int, title: str, issue_id: int | None) -> AgendaItem:
    return AgendaItem(
        assembly_id=assembly_id,
        issue_id=issue_id,
        position=position,
        title=title[:MAX_TITLE_CHARS],
        goal="",
        virtues=[],
        plans=[],
        indicators=[],
        mechanism=[],
        version=1,
        adopted=False,
    )


@dataclass(frozen=True)
class _Stale:
    current: dict[str, Any]
    kept: int | None


async def edit_agenda_item(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    item_id: int,
    version: int,
    content: dict[str, Any],
) -> dict[str, Any]:
    """Replace the parts of an item given in `content` (title, goal, virtues, plans,
    indicators, mechanism), if nobody changed the item since `version`; else StaleEdit (also
    for a `version` above the item's: no such version was ever issued)."""
    stale: _Stale | None = None
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.EDIT_DRAFT)
        keys = await network_keys(session, assembly.id)
        cleaned = check_content(content, set(keys.values()))
        item = await item_in(session, assembly.id, item_id)
        if version != item.version:
            unchanged = all(getattr(item, k) == v for k, v in cleaned.items())
            if version < item.version and unchanged:  # a resend of an edit that went through
                return item_view(item)
            # An older version, or one never issued (a confused client): keep what was sent.
            kept_id: int | None = None
            if cleaned:
                kept = AgendaSuggestion(
                    assembly_id=assembly.id,
                    item_id=item.id,
                    participant_id=None,
                    network_id=None,
                    part=CONFLICT,
                    text=conflict_text(cleaned),
                    status=OPEN,
                    support_count=0,
                )
                session.add(kept)
                await session.flush()
                await _emit_suggestion(outbox, kept, None)
                kept_id = kept.id
            stale = _Stale(item_view(item), kept_id)
        else:
            for key, value in cleaned.items():
                setattr(item, key, value)
            item.version += 1
            await emit_agenda_changed(outbox, assembly.id)
            view = item_view(item)
    if stale is not None:  # raised after the commit, so the kept copy is stored
        raise StaleEdit(stale.current, cleaned, stale.kept)
    return view


CONFLICT_LABELS = {
    "title": "ชื่อวาระ",
    "goal": "เป้าหมาย",
    "virtues": "คุณธรรมเป้าหมาย",
    "plans": "แผนงาน/โครงการ",
    "indicators": "ตัวชี้วัด",
    "mechanism": "กลไกการขับเคลื่อน",
}


def conflict_text(content: dict[str, Any]) -> str:
    """A refused edit as readable text, so the facilitator can merge it by hand."""
    lines: list[str] = []
    for key, label in CONFLICT_LABELS.items():
        if key not in content:
            continue
        value = content[key]
        if key in ("title", "goal"):
            lines.append(f"{label}: {value}")
        elif key == "virtues":
            lines.append(f"{label}: {', '.join(value)}")
        elif key == "plans":
            for plan in value:
                lines.append(f"{label}: {plan['name']}")
                lines.extend(f"  - {a['what']}" for a in plan["activities"])
        elif key == "indicators":
            for ind in value:
                lines.append(f"{label}: {ind['name']} {ind['target']} {ind['unit']}".rstrip())
        else:
            for m in value:
                lines.append(f"{label}: {m['network']} {m['person']} {m['organisation']}".rstrip())
    return "\n".join(lines) or "-"


async def remove_agenda_item(rt: Runtime, *, actor: Actor, assembly_id: int, item_id: int) -> None:
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.EDIT_DRAFT)
        item = await item_in(session, assembly.id, item_id)
        if item.adopted:
            raise Conflict("item_adopted", "An adopted item cannot be removed. Unadopt it first.")
        await session.delete(item)
        await emit_agenda_changed(outbox, assembly.id)


async def accept_suggestion(
    rt: Runtime, *, actor: Actor, assembly_id: int, suggestion_id: int, accept: bool = True
) -> dict[str, Any]:
    """Accept a suggestion into its item (goal: replaces the goal; a virtue, plan, activity,
    indicator or mechanism line: appended) or dismiss it (`accept=False`)."""
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.EDIT_DRAFT)
        suggestion = await session.get(AgendaSuggestion, suggestion_id, with_for_update=True)
        if suggestion is None or suggestion.assembly_id != assembly.id:
            raise NotFound("suggestion_not_found", "This suggestion does not exist.")
        keys = await network_keys(session, assembly.id)
        network = keys.get(suggestion.network_id or 0)
        if not accept:
            suggestion.status = DISMISSED
        elif suggestion.status != ACCEPTED:
            item = await item_in(session, assembly.id, suggestion.item_id)
            if suggestion.part != CONFLICT:
                _apply(item, suggestion.part, suggestion.text, network or "")
                item.version += 1
            suggestion.status = ACCEPTED
            await emit_agenda_changed(outbox, assembly.id)
        await _emit_suggestion(outbox, suggestion, network)
        return suggestion_view(suggestion, network)


def _apply(item: AgendaItem, part: str, text: str, network: str) -> None:
    """Put an accepted suggestion into its item. JSON lists are reassigned, never mutated in
    place, so SQLAlchemy sees the change."""
    line = text.replace("\n", " ").strip()
    if part == "goal":
        item.goal = text[:MAX_GOAL_CHARS]
    elif part == "virtue":
        item.virtues = list(dict.fromkeys([*(item.virtues or []), line[:MAX_SHORT_CHARS]]))
    elif part == "plan":
        item.plans = [*(item.plans or []), {"name": line[:MAX_LINE_CHARS], "activities": []}]
    elif part == "activity":
        plans = [dict(p) for p in item.plans or []] or [{"name": item.title, "activities": []}]
        activity = {
            "what": line[:MAX_LINE_CHARS],
            "networks": [network] if network else [],
            "agencies": [],
            "when": check_timing({}),
        }
        plans[-1] = {**plans[-1], "activities": [*plans[-1]["activities"], activity]}
        item.plans = plans
    elif part == "indicator":
        indicator = {
            "name": line[:MAX_LINE_CHARS],
            "unit": "",
            "baseline": "",
            "target": "",
            "deadline": check_timing({}),
            "data_source": "",
            "network": network,
        }
        item.indicators = [*(item.indicators or []), indicator]
    elif part == "mechanism":
        member = {
            "network": network,
            "person": line[:MAX_LINE_CHARS],
            "organisation": "",
            "role": "",
        }
        item.mechanism = [*(item.mechanism or []), member]
    # "note": accepted as read; nothing to put in the item


# ---------------------------------------------------------------- participants


async def choose_working_group(
    rt: Runtime, *, actor: Actor, assembly_id: int, item_id: int | None
) -> int | None:
    """Join the working group of one item (leaving any other); None leaves groups."""
    async with rt.transaction() as (session, outbox):
        assembly, standing = await authorized(session, assembly_id, actor, Action.SUGGEST_DRAFT)
        participant = standing.participant
        assert participant is not None
        if item_id is not None:
            await item_in(session, assembly.id, item_id)
        current = await session.scalar(
            select(WorkingGroupMember).where(
                WorkingGroupMember.assembly_id == assembly.id,
                WorkingGroupMember.participant_id == participant.id,
            )
        )
        before = current.item_id if current is not None else None
        if before == item_id:
            return item_id
        if item_id is None:
            await session.delete(current)
        elif current is None:
            session.add(
                WorkingGroupMember(
                    assembly_id=assembly.id, item_id=item_id, participant_id=participant.id
                )
            )
        else:
            current.item_id = item_id
        try:
            await session.flush()
        except IntegrityError as exc:  # the same phone choosing twice at the same instant
            raise Conflict(
                "already_chosen", "Please reload: your choice was already saved."
            ) from exc
        payload = {
            "groups": {str(k): v for k, v in (await group_counts(session, assembly.id)).items()}
        }
        await outbox.emit(assembly.id, EventType.AGENDA_GROUPS, payload, payload)
        return item_id


async def suggest(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    item_id: int,
    part: str,
    text: str,
    client_key: str | None = None,
) -> dict[str, Any]:
    """A participant's suggestion for one part of an item; a resend with the same client key
    stores nothing new."""
    if part not in PARTS:
        raise InvalidInput("invalid_part", "Choose which part of the item you suggest for.")
    cleaned = check_text(text, "suggestion", MAX_SUGGESTION_CHARS, required=True)
    if client_key is not None and not CLIENT_KEY_PATTERN.match(client_key):
        raise InvalidInput("invalid_client_key", "The request key is malformed.")
    async with rt.transaction() as (session, outbox):
        assembly, standing = await authorized(session, assembly_id, actor, Action.SUGGEST_DRAFT)
        participant = standing.participant
        assert participant is not None
        await item_in(session, assembly.id, item_id)
        keys = await network_keys(session, assembly.id)
        if client_key is not None:
            earlier = await session.scalar(
                select(AgendaSuggestion).where(
                    AgendaSuggestion.participant_id == participant.id,
                    AgendaSuggestion.client_key == client_key,
                )
            )
            if earlier is not None:
                return suggestion_view(earlier, keys.get(earlier.network_id or 0))
        suggestion = AgendaSuggestion(
            assembly_id=assembly.id,
            item_id=item_id,
            participant_id=participant.id,
            network_id=participant.network_id,
            part=part,
            text=cleaned,
            client_key=client_key,
            status=OPEN,
            support_count=0,
        )
        session.add(suggestion)
        await session.flush()
        network = keys.get(participant.network_id)
        await _emit_suggestion(outbox, suggestion, network)
        return suggestion_view(suggestion, network)


async def support_suggestion(
    rt: Runtime, *, actor: Actor, assembly_id: int, suggestion_id: int
) -> dict[str, Any]:
    """+1 once per participant; not one's own."""
    async with rt.transaction() as (session, outbox):
        assembly, standing = await authorized(session, assembly_id, actor, Action.SUGGEST_DRAFT)
        participant = standing.participant
        assert participant is not None
        suggestion = await session.get(AgendaSuggestion, suggestion_id)
        if (
            suggestion is None
            or suggestion.assembly_id != assembly.id
            or suggestion.part == CONFLICT
            or suggestion.status == DISMISSED
        ):
            raise NotFound("suggestion_not_found", "This suggestion does not exist.")
        if suggestion.participant_id == participant.id:
            raise Conflict("own_suggestion", "You cannot support your own suggestion.")
        keys = await network_keys(session, assembly.id)
        network = keys.get(suggestion.network_id or 0)
        if await session.get(SuggestionSupport, (suggestion.id, participant.id)) is not None:
            return suggestion_view(suggestion, network)
        session.add(SuggestionSupport(suggestion_id=suggestion.id, participant_id=participant.id))
        await session.execute(
            update(AgendaSuggestion)
            .where(AgendaSuggestion.id == suggestion.id)
            .values(support_count=AgendaSuggestion.support_count + 1)
        )
        await session.refresh(suggestion)
        await _emit_suggestion(outbox, suggestion, network)
        return suggestion_view(suggestion, network)


def timing_from_form(prefix: str, form: dict[str, str]) -> dict[str, Any]:
    """The four timing fields of a plain form: months, fiscal year, date, note."""
    return {
        "months": form.get(f"{prefix}months", ""),
        "fiscal_year": form.get(f"{prefix}fy", "") or None,
        "date": form.get(f"{prefix}date", "") or None,
        "note": form.get(f"{prefix}note", ""),
        "quarter": form.get(f"{prefix}quarter", "") or None,
    }


def content_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The console's plain item form (fields numbered per row) as `edit_agenda_item` content.
    Rows left empty are dropped by `check_content`."""

    def rows(prefix: str) -> Iterable[int]:
        pattern = re.compile(rf"^{prefix}(\d+)-")
        return sorted({int(m[1]) for key in form if (m := pattern.match(key))})

    def split(value: str) -> list[str]:
        return [v.strip() for v in re.split(r"[,\n]", value or "") if v.strip()]

    def checked(prefix: str) -> list[str]:
        return [
            key.removeprefix(prefix)
            for key, value in form.items()
            if key.startswith(prefix) and value
        ]

    content: dict[str, Any] = {
        "title": form.get("title", ""),
        "goal": form.get("goal", ""),
        "virtues": form.get("virtues", ""),
    }
    plans = []
    for p in rows("plan"):
        activities = [
            {
                "what": form.get(f"plan{p}-act{a}-what", ""),
                "networks": split(form.get(f"plan{p}-act{a}-networks", ""))
                + checked(f"plan{p}-act{a}-net-"),
                "agencies": split(form.get(f"plan{p}-act{a}-agencies", "")),
                "when": timing_from_form(f"plan{p}-act{a}-", form),
                "budget": form.get(f"plan{p}-act{a}-budget", ""),
                "funding": form.get(f"plan{p}-act{a}-funding", ""),
                "lead_agency": form.get(f"plan{p}-act{a}-lead", ""),
                "contact": form.get(f"plan{p}-act{a}-contact", ""),
            }
            for a in rows(f"plan{p}-act")
        ]
        plans.append(
            {
                "name": form.get(f"plan{p}-name", ""),
                "activities": activities,
                "lead_agency": form.get(f"plan{p}-lead", ""),
                "contact": form.get(f"plan{p}-contact", ""),
            }
        )
    content["plans"] = plans
    content["indicators"] = [
        {
            "name": form.get(f"ind{i}-name", ""),
            "unit": form.get(f"ind{i}-unit", ""),
            "baseline": form.get(f"ind{i}-baseline", ""),
            "target": form.get(f"ind{i}-target", ""),
            "deadline": timing_from_form(f"ind{i}-", form),
            "data_source": form.get(f"ind{i}-source", ""),
            "network": form.get(f"ind{i}-network", ""),
            "reporting_agency": form.get(f"ind{i}-reporting", ""),
        }
        for i in rows("ind")
    ]
    content["mechanism"] = [
        {
            "network": form.get(f"mem{m}-network", ""),
            "person": form.get(f"mem{m}-person", ""),
            "organisation": form.get(f"mem{m}-organisation", ""),
            "role": form.get(f"mem{m}-role", ""),
        }
        for m in rows("mem")
    ]
    return content


async def read_agenda(rt: Runtime, *, actor: Actor, assembly_id: int) -> dict[str, Any]:
    """The agenda in any step: items and suggestions; staff also get the consent results.
    Staff and participants of the assembly only."""
    async with rt.read() as session:
        assembly, standing = await authorized(session, assembly_id, actor, Action.VIEW_ASSEMBLY)
        staff = standing.is_staff
        agenda: dict[str, Any] = {
            "items": await items_view(session, assembly.id),
            "suggestions": await suggestions_view(session, assembly.id, staff=staff),
        }
        if staff:
            agenda["consent"] = await consent_results(session, assembly.id)
            agenda["rule"] = await _rule_view(session, assembly.id, agenda["consent"])
        return agenda
