"""Review follow-ups of issue 18 on a real database (SQLite and PostgreSQL): a report's day is
the day in Thailand, ten billion baht fits, only the organizer makes or links working-group
accounts, a demoted secretary loses the role, two first starts at once do not fail, and a
resend is answered before its photos are decoded."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from assembly import services
from assembly.errors import Conflict, DomainError, Forbidden
from assembly.models import User
from assembly.runtime import Runtime
from assembly.settings import Settings
from assembly.steps import Role
from followup import links, reports, setup
from followup.models import FollowupAgency, FollowupReport, FollowupTarget

from .test_followup_year import (
    COMMUNITY,
    EDUCATION,
    PASSWORD,
    START,
    _refused,
    _run,
)


async def _started(rt: Runtime, organizer: services.Actor, a: int) -> dict[str, int]:
    """The follow-up started in fiscal year 2570; the targets' ids by name."""
    started = await setup.start_followup(rt, actor=organizer, assembly_id=a, today=START)
    return {t["name"]: t["id"] for t in started["added"]}


async def _token(rt: Runtime, organizer: services.Actor, a: int, name: str) -> str:
    view = await setup.followup_view(rt, actor=organizer, assembly_id=a)
    agency_id = next(x["id"] for x in view["agencies"] if x["name"] == name)
    return (await links.issue_link(rt, actor=organizer, assembly_id=a, agency_id=agency_id)).token


async def _role(rt: Runtime, a: int, username: str) -> Role:
    async with rt.read() as session:
        assembly = await services.get_assembly(session, a)
        user = await session.scalar(select(User).where(User.username == username))
        assert user is not None
        return (await services.standing_in(session, assembly, services.Actor(user=user))).role


def test_a_report_counts_on_its_day_in_thailand(settings: Settings) -> None:
    """18:00 UTC on 15 January 2027 is 01:00 on 16 January in Thailand: past round 1's due
    date (15 January), so the report goes to round 2 by default, and is late for round 1."""

    async def year(rt: Runtime, organizer: services.Actor, a: int, _: list[int]) -> None:
        targets = await _started(rt, organizer, a)
        token = await _token(rt, organizer, a, COMMUNITY)
        evening = dt.datetime(2027, 1, 15, 18, 0, tzinfo=dt.UTC)
        activity = targets["จัดกิจกรรมจิตอาสาเดือนละครั้ง"]
        default = await reports.submit_report(
            rt, token=token, target_id=activity, status="in_progress", now=evening
        )
        assert (default["round"], default["late"]) == (2, False)
        for_round_1 = await reports.submit_report(
            rt, token=token, target_id=activity, status="in_progress", round_number=1, now=evening
        )
        assert (for_round_1["round"], for_round_1["late"]) == (1, True)
        morning = dt.datetime(2027, 1, 15, 16, 59, tzinfo=dt.UTC)  # 23:59 in Thailand
        on_time = await reports.submit_report(
            rt, token=token, target_id=activity, status="in_progress", round_number=1, now=morning
        )
        assert on_time["late"] is False

    _run(settings, year)


def test_ten_billion_baht_is_stored(settings: Settings) -> None:
    """Money spent and a budget up to the 10,000,000,000 baht allowed fit the column (an
    integer column of PostgreSQL holds only 2,147,483,647)."""

    async def year(rt: Runtime, organizer: services.Actor, a: int, _: list[int]) -> None:
        targets = await _started(rt, organizer, a)
        token = await _token(rt, organizer, a, EDUCATION)
        training = targets["อบรมครูผู้ดูแลร้านค้า"]
        sent = await reports.submit_report(
            rt,
            token=token,
            target_id=training,
            status="done",
            money_spent="3,000,000,000 บาท",
            now=dt.datetime(2027, 1, 5, 3, 0, tzinfo=dt.UTC),
        )
        assert sent["money_spent"] == 3_000_000_000
        async with rt.transaction() as (session, _outbox):
            target = await session.get(FollowupTarget, training)
            assert target is not None
            target.budget = 10_000_000_000
        async with rt.read() as session:
            stored = await session.get(FollowupReport, sent["id"])
            target = await session.get(FollowupTarget, training)
            assert stored is not None
            assert target is not None
            assert (stored.money_spent, target.budget) == (3_000_000_000, 10_000_000_000)

    _run(settings, year)


def test_only_the_organizer_makes_or_links_accounts(settings: Settings) -> None:
    """A secretary adds members, but neither creates logins nor links an existing account by
    its username (which would tell them the username exists)."""

    async def year(rt: Runtime, organizer: services.Actor, a: int, _: list[int]) -> None:
        await _started(rt, organizer, a)
        chair = await setup.add_member(
            rt,
            actor=organizer,
            assembly_id=a,
            name="เลขา",
            role="secretary",
            username="เลขาคณะทำงาน",
            password=PASSWORD,
        )
        async with rt.read() as session:
            user = await session.get(User, chair["user_id"])
        assert user is not None
        secretary = services.Actor(user=user)
        users_before = await _users(rt)
        await _refused(
            setup.add_member(
                rt,
                actor=secretary,
                assembly_id=a,
                name="คนใหม่",
                username="บัญชีใหม่",
                password=PASSWORD,
            ),
            Forbidden,
            "organizer_only",
        )
        await _refused(
            setup.add_member(
                rt, actor=secretary, assembly_id=a, name="ผู้จัดเอง", username="organizer"
            ),
            Forbidden,
            "organizer_only",
        )
        plain = await setup.add_member(rt, actor=secretary, assembly_id=a, name="กรรมการ")
        await _refused(
            setup.update_member(
                rt,
                actor=secretary,
                assembly_id=a,
                member_id=plain["id"],
                name="กรรมการ",
                username="บัญชีใหม่",
                password=PASSWORD,
            ),
            Forbidden,
            "organizer_only",
        )
        assert await _users(rt) == users_before
        edited = await setup.update_member(
            rt, actor=secretary, assembly_id=a, member_id=plain["id"], name="กรรมการ ก"
        )
        assert (edited["name"], edited["user_id"]) == ("กรรมการ ก", None)

    _run(settings, year)


async def _users(rt: Runtime) -> int:
    async with rt.read() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


def test_a_removed_or_demoted_secretary_loses_the_role(settings: Settings) -> None:
    """An account on two member rows (secretary on one, member on the other) is a secretary;
    the secretary row removed, it is a member; that row made a member too and then removed,
    it has no place here."""

    async def year(rt: Runtime, organizer: services.Actor, a: int, _: list[int]) -> None:
        await _started(rt, organizer, a)
        username = "สองตำแหน่ง"
        as_member = await setup.add_member(
            rt,
            actor=organizer,
            assembly_id=a,
            name="ผู้แทน",
            role="member",
            username=username,
            password=PASSWORD,
        )
        as_secretary = await setup.add_member(
            rt, actor=organizer, assembly_id=a, name="ผู้แทน", role="secretary", username=username
        )
        assert await _role(rt, a, username) == Role.SECRETARY
        await setup.remove_member(rt, actor=organizer, assembly_id=a, member_id=as_secretary["id"])
        assert await _role(rt, a, username) == Role.WORKING_GROUP
        await setup.update_member(
            rt, actor=organizer, assembly_id=a, member_id=as_member["id"], name="ผู้แทน", role="chair"
        )
        assert await _role(rt, a, username) == Role.SECRETARY
        await setup.update_member(
            rt,
            actor=organizer,
            assembly_id=a,
            member_id=as_member["id"],
            name="ผู้แทน",
            role="member",
        )
        assert await _role(rt, a, username) == Role.WORKING_GROUP
        await setup.remove_member(rt, actor=organizer, assembly_id=a, member_id=as_member["id"])
        assert await _role(rt, a, username) == Role.ANONYMOUS

    _run(settings, year)


def test_two_first_starts_and_two_same_agencies_at_once(settings: Settings) -> None:
    """Two first starts at the same moment both answer, and the items are frozen once; the
    same agency added twice at once is stored once, the other answered 409 agency_exists."""

    async def year(rt: Runtime, organizer: services.Actor, a: int, _: list[int]) -> None:
        starts = await asyncio.gather(
            *(
                setup.start_followup(rt, actor=organizer, assembly_id=a, today=START)
                for _ in range(2)
            )
        )
        assert sorted(len(s["added"]) for s in starts) == [0, 9]
        async with rt.read() as session:
            items = await session.scalar(
                select(func.count())
                .select_from(FollowupTarget)
                .where(FollowupTarget.assembly_id == a, FollowupTarget.kind == "item")
            )
        assert items == 2
        added = await asyncio.gather(
            *(
                setup.add_agency(rt, actor=organizer, assembly_id=a, name="โรงเรียนใหม่")
                for _ in range(2)
            ),
            return_exceptions=True,
        )
        refused = [x for x in added if isinstance(x, BaseException)]
        assert len(refused) == 1
        assert isinstance(refused[0], Conflict)
        assert refused[0].code == "agency_exists"
        async with rt.read() as session:
            named = await session.scalar(
                select(func.count())
                .select_from(FollowupAgency)
                .where(FollowupAgency.assembly_id == a, FollowupAgency.name == "โรงเรียนใหม่")
            )
        assert named == 1

    _run(settings, year)


def test_a_resend_is_answered_before_its_photos_are_decoded(settings: Settings) -> None:
    """An outbox resends a stored report with its photos: the answer is the stored report,
    whatever those bytes are now, and no core is spent decoding them."""

    async def year(rt: Runtime, organizer: services.Actor, a: int, _: list[int]) -> None:
        targets = await _started(rt, organizer, a)
        token = await _token(rt, organizer, a, COMMUNITY)
        activity = targets["จัดกิจกรรมจิตอาสาเดือนละครั้ง"]
        first: dict[str, Any] = await reports.submit_report(
            rt, token=token, target_id=activity, client_key="resend-0001", status="in_progress"
        )
        again = await reports.submit_report(
            rt,
            token=token,
            target_id=activity,
            client_key="resend-0001",
            status="in_progress",
            photos=[b"not a photo at all"],
        )
        assert (again["stored"], again["id"]) == (False, first["id"])
        with pytest.raises(DomainError) as refused:
            await reports.submit_report(
                rt,
                token=token,
                target_id=activity,
                client_key="resend-0002",
                status="in_progress",
                photos=[b"not a photo at all"],
            )
        assert refused.value.code == "invalid_photo"

    _run(settings, year)


def test_a_measurement_date_in_the_buddhist_era_is_converted(settings: Settings) -> None:
    """ "2570-01-10" is 10 January 2027 as a Thai phone shows it; 2020 is years before fiscal
    year 2570 and refused (a mistyped year), ๒๕๖๙-๑๐-๐๑ in Thai digits is 1 October 2026."""

    async def year(rt: Runtime, organizer: services.Actor, a: int, _: list[int]) -> None:
        targets = await _started(rt, organizer, a)
        token = await _token(rt, organizer, a, EDUCATION)
        shops = targets["จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์"]
        at = dt.datetime(2027, 1, 12, 3, 0, tzinfo=dt.UTC)
        sent = await reports.submit_report(
            rt, token=token, target_id=shops, value="12", measured_on="2570-01-10", now=at
        )
        assert sent["measured_on"] == "2027-01-10"
        sent = await reports.submit_report(
            rt, token=token, target_id=shops, value="11", measured_on="๒๕๖๙-๑๐-๐๑", now=at
        )
        assert sent["measured_on"] == "2026-10-01"
        await _refused(
            reports.submit_report(
                rt, token=token, target_id=shops, value="9", measured_on="2020-01-01", now=at
            ),
            DomainError,
            "measured_too_early",
        )

    _run(settings, year)


def test_last_years_cached_board_still_asks_who_is_asking(settings: Settings) -> None:
    """The board cached for the collect step is returned to those who may see the assembly
    only: someone from outside is refused even right after it was cached."""
    from assembly.web.last_year import last_year_board

    async def year(rt: Runtime, organizer: services.Actor, a: int, _: list[int]) -> None:
        assert await last_year_board(rt, organizer, a) is None  # cached: nothing carried over
        await _refused(last_year_board(rt, services.Actor(), a), DomainError, "not_authenticated")

    _run(settings, year)


@pytest.mark.parametrize("choice", ["²:continue", "9999999999:stop", "-1:change", "x:stop"])
def test_a_continuity_choice_that_is_no_row_id_is_refused(choice: str) -> None:
    from assembly.errors import InvalidInput
    from assembly.web.last_year import _choice

    with pytest.raises(InvalidInput) as refused:
        _choice(choice)
    assert refused.value.code == "invalid_tag"
