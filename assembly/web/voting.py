"""Handlers of the vote step: set up and steer votes, cast ballots, results, charts, exports.

Thin: parse, call one use case of `voting.services`, answer. JSON under
/api/v1/assemblies/{id}/votes; plain forms under /a/{id}/... (phones) and /console/{id}/...
(facilitators) that redirect, or answer 204 to the page's JavaScript.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from assembly.errors import InvalidInput, NotFound
from assembly.i18n import gettext_
from assembly.runtime import Runtime
from assembly.services import Actor
from assembly.web.context import CurrentActor, CurrentRuntime
from assembly.web.forms import Form, form_body
from assembly.web.rendering import done
from deliberation.curation import vote_options
from voting import services as voting
from voting.charts import consensus_chart, ranking_chart, turnout_chart
from voting.export import ballots_csv, tally_csv


@dataclass
class VoteBody:
    method: str
    options: list[str] = field(default_factory=list)
    """One label per option (ignored when `subject` is "issues")."""
    params: dict[str, int | None] = field(default_factory=dict)
    subject: str = "options"
    seed_from: int | None = None
    """A closed vote whose `top` best options are this vote's (a second round)."""
    top: int | None = None


@dataclass
class BallotBody:
    ballot: Any
    """dot/score/budget: {option id: number}; approval: [option id]; ranking: [option id] best
    first."""
    client_seq: Any
    """An integer, increasing per phone: a resend with the same number is acknowledged, never
    counted twice."""
    participant_id: int | None = None


def _receipt(receipt: voting.BallotReceipt) -> dict[str, Any]:
    return {
        "stored": True,
        "replay": receipt.replay,
        "vote_id": receipt.vote_id,
        "client_seq": receipt.client_seq,
        "ballot": receipt.ballot,
    }


async def create_vote(
    runtime: Runtime, actor: Actor, assembly_id: int, data: VoteBody
) -> dict[str, Any]:
    return await voting.create_vote(
        runtime,
        actor=actor,
        assembly_id=assembly_id,
        method=data.method,
        params=dict(data.params),
        options=list(data.options),
        subject=data.subject,
        issue_options=vote_options,
        seed_from=data.seed_from,
        top=data.top,
    )


class VotingApi(Controller):
    path = "/api/v1/assemblies/{assembly_id:int}/votes"
    tags = ["votes"]

    @get("/")
    async def list_votes(
        self, runtime: CurrentRuntime, actor: CurrentActor, assembly_id: FromPath[int]
    ) -> list[dict[str, Any]]:
        """Every vote of the assembly with its ballots and standing (staff)."""
        return await voting.votes_overview(runtime, actor=actor, assembly_id=assembly_id)

    @post("/", status_code=HTTP_201_CREATED)
    async def create(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[VoteBody],
    ) -> dict[str, Any]:
        return await create_vote(runtime, actor, assembly_id, data)

    @post("/{vote_id:int}/{change:str}", status_code=HTTP_200_OK)
    async def steer(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        vote_id: FromPath[int],
        change: FromPath[str],
    ) -> dict[str, Any]:
        """`open`, `close`, `close-anyway` (even though a table assistant has not said their
        paper ballots are entered), `reveal` (results to participants) or `hide`; `counted`,
        `trial`, `discarded` or `unmarked`: what the vote is for the agenda (in any step)."""
        return await steer(runtime, actor, assembly_id, vote_id, change)

    @post("/{vote_id:int}/ballot", status_code=HTTP_200_OK)
    async def ballot(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        vote_id: FromPath[int],
        data: JSONBody[BallotBody],
    ) -> dict[str, Any]:
        """Answers only after the ballot is committed; 200 means durably stored."""
        receipt = await voting.cast_ballot(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            vote_id=vote_id,
            ballot=data.ballot,
            client_seq=data.client_seq,
            participant_id=data.participant_id,
        )
        return _receipt(receipt)

    @get("/{vote_id:int}/results")
    async def results(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        vote_id: FromPath[int],
    ) -> dict[str, Any]:
        record = await voting.vote_record(
            runtime, actor=actor, assembly_id=assembly_id, vote_id=vote_id
        )
        return {"vote": record.vote, "results": record.results}


async def steer(
    rt: Runtime, actor: Actor, assembly_id: int, vote_id: int, change: str
) -> dict[str, Any]:
    if change == "open":
        return await voting.open_vote(rt, actor=actor, assembly_id=assembly_id, vote_id=vote_id)
    if change in ("close", "close-anyway"):
        return await voting.close_vote(
            rt,
            actor=actor,
            assembly_id=assembly_id,
            vote_id=vote_id,
            force=change == "close-anyway",
        )
    if change in ("reveal", "hide"):
        return await voting.reveal_results(
            rt, actor=actor, assembly_id=assembly_id, vote_id=vote_id, revealed=change == "reveal"
        )
    if change in MARKS:
        return await voting.mark_vote(
            rt, actor=actor, assembly_id=assembly_id, vote_id=vote_id, standing=MARKS[change]
        )
    raise NotFound("not_found", "This page does not exist.")


MARKS = {"counted": "counted", "trial": "trial", "discarded": "discarded", "unmarked": ""}


def _form_params(form: dict[str, str]) -> dict[str, int | None]:
    params: dict[str, int | None] = {}
    kind = form.get("method", "")
    for name in voting.PARAM_FIELDS.get(kind, ()):
        text = form.get(f"{kind}_{name}", "").strip()
        if text:
            try:
                params[name] = int(text)
            except ValueError as exc:
                raise InvalidInput("not_an_integer", "Please enter whole numbers only.") from exc
    return params


class VotingPages(Controller):
    include_in_schema = False

    @post("/a/{assembly_id:int}/votes/{vote_id:int}/ballot")
    async def ballot(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        vote_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await voting.cast_ballot_form(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            vote_id=vote_id,
            form=data,
        )
        return done(request, f"/a/{assembly_id}#vote")

    @post("/console/{assembly_id:int}/votes")
    async def create(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        options = data.get("options", "").splitlines()
        body = form_body(VoteBody, data, options=options, params=_form_params(data))
        await create_vote(runtime, actor, assembly_id, body)
        return done(request, f"/console/{assembly_id}#vote")

    @post("/console/{assembly_id:int}/votes/{vote_id:int}/{change:str}")
    async def steer(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        vote_id: FromPath[int],
        change: FromPath[str],
        data: Form,
    ) -> Response[Any]:
        await steer(runtime, actor, assembly_id, vote_id, change)
        if change in MARKS and data.get("next") == "export":  # marked on the export page
            return done(request, f"/organize/{assembly_id}/export")
        return done(request, f"/console/{assembly_id}#vote")

    @get("/a/{assembly_id:int}/votes/{vote_id:int}/charts/{chart:str}", media_type="image/svg+xml")
    async def chart(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        vote_id: FromPath[int],
        chart: FromPath[str],
        v: FromQuery[str | None] = None,
    ) -> Response[str]:
        """`ranking.svg`, `consensus.svg` or `turnout.svg` (staff), from the committed ballots;
        `v`: the version of the tally the screen shows (results at least that new will do)."""
        chart = chart.removesuffix(".svg")
        results = await voting.vote_results(
            runtime, actor=actor, assembly_id=assembly_id, vote_id=vote_id, version=v
        )
        networks = await voting.assembly_networks(runtime, assembly_id)
        if chart == "ranking":
            svg = ranking_chart(results, title=gettext_("Ranking"))
        elif chart == "consensus":
            svg = consensus_chart(results, networks, title=gettext_("Consensus across networks"))
        elif chart == "turnout":
            turnout = await voting.vote_turnout(
                runtime, actor=actor, assembly_id=assembly_id, vote_id=vote_id
            )
            svg = turnout_chart(turnout, title=gettext_("Turnout by network"))
        else:
            raise NotFound("not_found", "This page does not exist.")
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    @get("/a/{assembly_id:int}/votes/{vote_id:int}/export/{name:str}")
    async def export(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        vote_id: FromPath[int],
        name: FromPath[str],
    ) -> Response[Any]:
        """`vote.json` (everything, recountable), `tally.csv`, `ballots.csv`."""
        record = await voting.vote_record(
            runtime, actor=actor, assembly_id=assembly_id, vote_id=vote_id
        )
        stem = f"vote-{vote_id}"
        if name == "vote.json":
            body = json.dumps(record.export(), ensure_ascii=False, indent=1)
            media, filename = "application/json; charset=utf-8", f"{stem}.json"
        elif name == "tally.csv":
            body = tally_csv(record.results)
            media, filename = "text/csv", f"{stem}-tally.csv"
        elif name == "ballots.csv":
            body = ballots_csv(record.export())
            media, filename = "text/csv", f"{stem}-ballots.csv"
        else:
            raise NotFound("not_found", "This page does not exist.")
        return Response(
            body.encode("utf-8"),
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


VOTING_ROUTES: list[Any] = [VotingApi, VotingPages]
