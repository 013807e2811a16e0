"""`samatcha export` from the command line, and the JSON archive round trip: export, load into
an empty database, export again: the same JSON (ids kept); a non-empty database is refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx
import pytest

from assembly.cli import main

if TYPE_CHECKING:
    from conftest import World


def api(world: World, path: str) -> str:
    return f"/api/v1/assemblies/{world.id}{path}"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def small_assembly(world: World) -> None:
    """Proposals, one issue, an issues vote, a drafted item, a consent round."""
    world.open("collect")
    phones = [world.phone("government"), world.phone("media")]
    first = ok(phones[0].post(api(world, "/proposals"), json={"text": "ขยะล้นตลาด 🙂"}), 201)
    second = ok(phones[1].post(api(world, "/proposals"), json={"text": "=SUM(A1) ไม่ใช่สูตร"}), 201)
    ok(phones[1].post(api(world, f"/proposals/{first['id']}/support")))
    world.open("review")
    state = ok(
        world.facilitator.post(
            api(world, f"/proposals/{first['id']}/group"), json={"group_id": "new"}
        )
    )
    group = next(g for g in state["groups"] if first["id"] in g["members"])
    ok(
        world.facilitator.patch(
            api(world, f"/groups/{group['id']}"),
            json={"version": group["version"], "title": "ขยะ", "is_issue": True},
        )
    )
    state = ok(
        world.facilitator.post(
            api(world, f"/proposals/{second['id']}/group"), json={"group_id": "new"}
        )
    )
    other = next(g for g in state["groups"] if second["id"] in g["members"])
    ok(
        world.facilitator.patch(
            api(world, f"/groups/{other['id']}"),
            json={"version": other["version"], "title": "สูตร", "is_issue": True},
        )
    )
    world.open("vote")
    vote = ok(
        world.facilitator.post(
            api(world, "/votes"), json={"method": "approval", "subject": "issues"}
        ),
        201,
    )
    ok(world.facilitator.post(api(world, f"/votes/{vote['id']}/open")))
    option = vote["options"][0]["id"]
    for phone in phones:
        ok(
            phone.post(
                api(world, f"/votes/{vote['id']}/ballot"),
                json={"ballot": [option], "client_seq": 1},
            )
        )
    world.open("draft")
    item = ok(
        world.facilitator.post(api(world, "/agenda/items"), json={"issue_ids": [group["id"]]}), 201
    )[0]
    ok(phones[0].post(api(world, "/agenda/group"), json={"item_id": item["id"]}))
    ok(
        phones[0].post(
            api(world, f"/agenda/items/{item['id']}/suggestions"),
            json={"part": "goal", "text": "ตลาดสะอาด"},
        ),
        201,
    )
    ok(
        world.facilitator.patch(
            api(world, f"/agenda/items/{item['id']}"),
            json={
                "version": item["version"],
                "goal": "ตลาดสะอาดภายในปี ๒๕๗๐",
                "indicators": [{"name": "ขยะลดลง", "target": "30", "unit": "ร้อยละ"}],
            },
        )
    )
    world.open("adopt")
    ok(
        phones[1].post(
            api(world, f"/agenda/items/{item['id']}/consent"),
            json={"answer": "object", "reason": "ยังไม่ชัด"},
        )
    )
    consent = ok(world.facilitator.get(api(world, "/agenda/")))["consent"]
    for objection in consent[str(item["id"])]["objections"]:
        ok(
            world.facilitator.post(
                api(world, f"/agenda/objections/{objection['id']}"),
                json={"handling": "amended", "note": "เพิ่มกำหนดเวลาให้ชัด"},
            )
        )
    ok(
        world.facilitator.post(
            api(world, f"/agenda/items/{item['id']}/adopt"), json={"adopted": True}
        )
    )


def fresh_postgres(url: str) -> str:
    """A second, empty PostgreSQL database next to the test one (the app keeps using that)."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    name = "samatcha_archive_test"

    async def create() -> None:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            await connection.execute(text(f"CREATE DATABASE {name}"))
        await engine.dispose()

    asyncio.run(create())
    return url.rsplit("/", 1)[0] + "/" + name


def without_time(archive: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in archive.items() if k != "exported_at"}


def test_cli_exports_and_the_archive_loads_back_into_an_empty_database(
    world: World,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    small_assembly(world)
    monkeypatch.setenv("SAMATCHA_DATABASE_URL", database_url)
    aid = str(world.id)

    main(["export", aid, "--format", "docx", "-o", str(tmp_path / "a.docx")])
    document = docx.Document(str(tmp_path / "a.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "๔.๑ วาระที่ ๑ ขยะ" in headings

    main(["export", aid, "--format", "csv", "-o", str(tmp_path / "data.zip")])
    with zipfile.ZipFile(tmp_path / "data.zip") as data:
        assert sorted(data.namelist()) == [
            "indicators.csv",
            "issues.csv",
            "plans.csv",
            "proposals.csv",
            "votes.csv",
        ]
        proposals = data.read("proposals.csv")
    assert proposals.startswith(b"\xef\xbb\xbf")
    assert "'=SUM(A1) ไม่ใช่สูตร" in proposals.decode("utf-8")  # a formula made inert, Thai intact
    main(["export", aid, "--format", "csv", "--table", "votes", "-o", str(tmp_path / "v.csv")])
    assert "ขยะ" in (tmp_path / "v.csv").read_text(encoding="utf-8-sig")
    for fmt in ("html", "md"):
        main(["export", aid, "--format", fmt, "-o", str(tmp_path / f"a.{fmt}")])
        assert "วาระที่ ๑ ขยะ" in (tmp_path / f"a.{fmt}").read_text(encoding="utf-8")

    main(["export", aid, "--format", "json", "--full", "-o", str(tmp_path / "first.json")])
    first = json.loads((tmp_path / "first.json").read_text(encoding="utf-8"))
    assert first["format"] == "samatcha.archive/1"
    tables = first["tables"]
    for name in (
        "assemblies",
        "networks",
        "steps",
        "participants",
        "proposals",
        "supports",
        "proposal_groups",
        "votes",
        "vote_options",
        "ballots",
        "agenda_items",
        "agenda_working_groups",
        "agenda_suggestions",
        "consent_votes",
        "users",
    ):
        assert tables[name]["rows"], name
    assert "password_hash" not in tables["users"]["columns"]
    assert "user_sessions" not in tables

    web_copy = ok(world.organizer.get(f"/organize/{world.id}/export-full.json"))
    assert without_time(web_copy) == without_time(first)

    # into an empty database
    if database_url.startswith("sqlite"):
        fresh = f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        fresh = fresh_postgres(database_url)
    monkeypatch.setenv("SAMATCHA_DATABASE_URL", fresh)
    monkeypatch.setenv("SAMATCHA_PASSWORD", "a new long password")
    main(["import-archive", str(tmp_path / "first.json"), "--password"])
    main(["export", aid, "--format", "json", "--full", "-o", str(tmp_path / "second.json")])
    second = json.loads((tmp_path / "second.json").read_text(encoding="utf-8"))
    assert without_time(second) == without_time(first)
    main(["export", aid, "--format", "docx", "-o", str(tmp_path / "b.docx")])
    again = docx.Document(str(tmp_path / "b.docx"))
    assert [p.text for p in again.paragraphs if p.style.name.startswith("Heading")] == headings

    # a database that is not empty is refused, with a clear message
    capsys.readouterr()
    with pytest.raises(SystemExit) as refused:
        main(["import-archive", str(tmp_path / "first.json")])
    assert refused.value.code == 2
    assert "database_not_empty" in capsys.readouterr().err


def test_the_staff_archive_names_nobody_and_links_no_ballot_to_a_person(
    world: World,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    small_assembly(world)
    world.phone("religion", display_name="สมชาย ใจดี", organisation="มูลนิธิบ้านเรา")
    made = world.organizer.post(api(world, "/seats/"), json={"network": "media", "count": 2})
    assert made.status_code == 201, made.text
    leaked = world.facilitator.get(f"/organize/{world.id}/export.json").text
    assert "สมชาย ใจดี" not in leaked  # the facilitator's download names nobody
    assert "participant_id" not in json.loads(leaked)["tables"]["ballots"]["columns"]
    full = ok(world.organizer.get(f"/organize/{world.id}/export-full.json"))
    assert full["contents"] == "full"
    secrets = [
        *(
            row[full["tables"]["participants"]["columns"].index("device_hash")]
            for row in full["tables"]["participants"]["rows"]
        ),
        *(
            row[full["tables"]["seat_codes"]["columns"].index(column)]
            for row in full["tables"]["seat_codes"]["rows"]
            for column in ("nonce", "code_hash")
        ),
        "สมชาย ใจดี",
        "มูลนิธิบ้านเรา",
    ]
    assert len(secrets) == len(set(secrets)) >= 2 + 2 * 2 + 2

    for staff in (world.facilitator, world.organizer):
        response = staff.get(f"/organize/{world.id}/export.json")
        assert response.status_code == 200, response.text
        for secret in secrets:
            assert secret not in response.text
        archive = response.json()
        assert archive["contents"] == "anonymised"
        tables = archive["tables"]
        for name in ("ballots", "consent_votes", "supports", "agenda_suggestion_supports"):
            assert "participant_id" not in tables[name]["columns"], name
            assert "participant_network_id" in tables[name]["columns"], name
        assert tables["ballots"]["rows"], "the ballots themselves stay, for the results"
        assert "id" not in tables["ballots"]["columns"]
        assert "cast_at" not in tables["ballots"]["columns"]
        for column in ("device_hash", "display_name", "organisation"):
            assert column not in tables["participants"]["columns"]
        for column in ("nonce", "code_hash", "participant_id"):
            assert column not in tables["seat_codes"]["columns"]
        assert "user_sessions" not in tables
    refused = world.facilitator.get(f"/organize/{world.id}/export-full.json")
    assert refused.status_code == 403, refused.text

    # The anonymised file is for reading: import-archive says what to load instead.
    path = tmp_path / "anonymised.json"
    path.write_text(world.organizer.get(f"/organize/{world.id}/export.json").text, "utf-8")
    monkeypatch.setenv("SAMATCHA_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    capsys.readouterr()
    with pytest.raises(SystemExit) as not_loaded:
        main(["import-archive", str(path)])
    assert not_loaded.value.code == 2
    assert "anonymised_archive" in capsys.readouterr().err


def test_import_archive_refuses_a_file_that_is_not_an_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAMATCHA_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    bad = tmp_path / "bad.json"
    for content in (
        "not json",
        json.dumps({"format": "other"}),
        json.dumps({"format": "samatcha.archive/1", "assembly_id": 1, "tables": {"nope": {}}}),
    ):
        bad.write_text(content, encoding="utf-8")
        with pytest.raises(SystemExit) as refused:
            main(["import-archive", str(bad)])
        assert refused.value.code == 2
    err = capsys.readouterr().err
    assert "is not JSON" in err
    assert "invalid_archive" in err


def test_cli_export_of_an_unknown_assembly_is_a_clear_error(
    world: World,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SAMATCHA_DATABASE_URL", database_url)
    with pytest.raises(SystemExit):
        main(["export", "99999", "--format", "docx", "-o", str(tmp_path / "x.docx")])
    assert "assembly_not_found" in capsys.readouterr().err
    assert not (tmp_path / "x.docx").exists()


def test_cli_export_from_a_missing_database_names_it_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "x.sqlite3"
    monkeypatch.setenv("SAMATCHA_DATABASE_URL", f"sqlite+aiosqlite:///{missing}")
    with pytest.raises(SystemExit) as exited:
        main(["export", "1", "--format", "docx", "-o", str(tmp_path / "x.docx")])
    assert exited.value.code != 0
    assert f"no database at {missing}" in capsys.readouterr().err
    assert not missing.exists()
    assert not (tmp_path / "x.docx").exists()
