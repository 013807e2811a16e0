"""Results view, exports and recount, SVG charts and form ballots: pure, no database."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from assembly.errors import InvalidInput
from voting.charts import consensus_chart, ranking_chart, turnout_chart
from voting.export import ballots_csv, export_document, recount, tally_csv
from voting.methods import ApprovalVoting, DotVoting, RankedVoting, validate_ballot
from voting.results import StoredBallot, canonical_content, results_view
from voting.services import ballot_from_form

OPTIONS = [("1", "พอเพียง"), ("2", "วินัย"), ("3", "สุจริต <&>")]
IDS = [o for o, _ in OPTIONS]
NETWORKS = [
    {"key": k, "name_th": k, "color": "#123456"}
    for k in ("government", "business", "civil_society", "education", "religion", "media")
]


def stored(method: object, raw: object, network: str) -> StoredBallot:
    checked = validate_ballot(method, IDS, raw, network=network)  # type: ignore[arg-type]
    return StoredBallot(canonical_content(checked), network)


def test_ties_are_marked_and_not_broken() -> None:
    method = ApprovalVoting()
    ballots = [stored(method, ["1"], "government"), stored(method, ["2"], "media")]
    view = results_view(method, OPTIONS, ballots)
    assert [(r["option_id"], r["rank"], r["tied"]) for r in view["ranking"]] == [
        ("1", 1, True),
        ("2", 1, True),
        ("3", 3, False),
    ]


def test_a_network_outside_the_six_counts_in_the_tally_but_not_the_consensus() -> None:
    method = ApprovalVoting()
    ballots = [stored(method, ["1"], "government"), StoredBallot('{"2":1}', "youth")]
    view = results_view(method, OPTIONS, ballots)
    assert view["ballots"] == 2
    assert {r["option_id"]: r["value"] for r in view["ranking"]}["2"] == 1
    assert {r["option_id"]: r["supporters"] for r in view["consensus"]}["2"] == 0


def test_the_export_recounts_to_the_same_results_and_hides_the_order() -> None:
    method = RankedVoting(min_ranked=2)
    ballots = [
        stored(method, ["1", "2"], "government"),
        stored(method, ["2", "3", "1"], "education"),
        stored(method, ["3", "1"], "media"),
    ]
    document = export_document(
        vote_id=7, assembly_name="ทดสอบ", method=method, options=OPTIONS, ballots=ballots
    )
    again = json.loads(json.dumps(document, ensure_ascii=False))
    assert recount(again) == again["results"] == results_view(method, OPTIONS, ballots)
    reversed_document = export_document(
        vote_id=7, assembly_name="ทดสอบ", method=method, options=OPTIONS, ballots=ballots[::-1]
    )
    assert reversed_document["ballots"] == document["ballots"]  # storage order does not leak


def test_csv_exports_open_in_excel_with_thai_intact() -> None:
    method = DotVoting(dots=3)
    ballots = [stored(method, {"1": 2, "3": 1}, "religion")]
    results = results_view(method, OPTIONS, ballots)
    text = tally_csv(results)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][:4] == ["1", "พอเพียง", "1", "2.0"]
    assert rows[0][-6:] == [
        f"voters_{k}"
        for k in ("government", "business", "civil_society", "education", "religion", "media")
    ]
    document = export_document(
        vote_id=1, assembly_name="ก", method=method, options=OPTIONS, ballots=ballots
    )
    ballot_rows = list(csv.reader(io.StringIO(ballots_csv(document).lstrip("\ufeff"))))
    assert ballot_rows[1] == ["religion", "2", "", "1", "phone", "", "", "", "", ""]


def test_paper_ballots_are_counted_per_network_and_recount_with_their_audit() -> None:
    method = DotVoting(dots=3)
    phone = stored(method, {"1": 3}, "media")
    on_paper = StoredBallot(
        phone.content.replace('"1":3', '"2":3'),
        "religion",
        "paper",
        card=42,
        entered_by="ผู้ช่วย",
        entered_at="2026-12-08T02:00:00+00:00",
    )
    results = results_view(method, OPTIONS, [phone, on_paper])
    assert (results["paper"], results["paper_ballots"]) == ({"religion": 1}, 1)
    document = export_document(
        vote_id=1, assembly_name="ก", method=method, options=OPTIONS, ballots=[phone, on_paper]
    )
    assert recount(document) == results
    [entry] = [b for b in document["ballots"] if b["source"] == "paper"]
    assert (entry["card"], entry["entered_by"], entry["corrected_by"]) == (42, "ผู้ช่วย", None)
    rows = list(csv.DictReader(io.StringIO(ballots_csv(document).lstrip("\ufeff"))))
    assert [(r["source"], r["card"]) for r in rows if r["network"] == "religion"] == [
        ("paper", "42")
    ]


def test_charts_are_valid_svg_with_escaped_labels_and_tie_marks() -> None:
    method = ApprovalVoting()
    ballots = [stored(method, ["1"], "government"), stored(method, ["2"], "media")]
    results = results_view(method, OPTIONS, ballots)
    for svg in (
        ranking_chart(results, title="ลำดับ"),
        consensus_chart(results, NETWORKS, title="ฉันทามติ"),
        turnout_chart(
            {"networks": [{**n, "joined": 4, "voted": 1} for n in NETWORKS]}, title="ผู้ลงคะแนน"
        ),
    ):
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg")
        assert "viewBox" in root.attrib
    ranking = ranking_chart(results, title="ลำดับ")
    assert "=1" in ranking
    assert "สุจริต &lt;&amp;&gt;" in ranking


def test_form_fields_become_ballots() -> None:
    form = {"o1": "2", "o2": "", "o3": "1", "client_seq": "5", "o99": "4"}
    assert ballot_from_form("dot", IDS, form) == {"1": 2, "3": 1}
    assert ballot_from_form("approval", IDS, {"o1": "1", "o3": "on"}) == ["1", "3"]
    assert ballot_from_form("ranking", IDS, {"o1": "2", "o2": "1", "o3": ""}) == ["2", "1"]
    with pytest.raises(InvalidInput) as same_rank:
        ballot_from_form("ranking", IDS, {"o1": "1", "o2": "1"})
    assert same_rank.value.code == "duplicate_in_ranking"
    with pytest.raises(InvalidInput):
        ballot_from_form("score", IDS, {"o1": "ห้า"})
