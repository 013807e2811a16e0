"""Property: whatever a facilitator curates, re-clustering keeps it, and every proposal stays in
exactly one group or in the unsorted tray."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

if TYPE_CHECKING:
    from conftest import World

TEXTS = [
    "ใส่หมวกกันน็อกทุกครั้ง",
    "สวมหมวกกันน็อกเมื่อขี่มอเตอร์ไซค์",
    "เปิดเผยงบประมาณ อบต.",
    "ประกาศการใช้งบประมาณหมู่บ้าน",
    "ร้านค้าความซื่อสัตย์ในโรงเรียน",
    "ร้านค้าซื่อสัตย์ในชุมชน",
    "ปลูกต้นไม้ริมถนน",
    "จิตอาสาพัฒนาวัด",
]

# (operation, a, b): indices into the current groups / proposals, resolved when applied.
OPERATION = st.tuples(
    st.sampled_from(["move", "new", "unsorted", "merge", "rename", "issue", "hide", "split"]),
    st.integers(0, 50),
    st.integers(0, 50),
)


def _apply(world: World, base: str, state: dict[str, Any], op: tuple[str, int, int]) -> Any:
    kind, a, b = op
    groups, f = state["groups"], world.facilitator
    ids = sorted(p for g in groups for p in g["members"]) + state["unsorted"]
    if not groups or not ids:
        return None
    group, other = groups[a % len(groups)], groups[b % len(groups)]
    proposal = ids[a % len(ids)]
    if kind in ("move", "new", "unsorted"):
        target = {"move": other["id"], "new": "new", "unsorted": None}[kind]
        return f.post(f"{base}/proposals/{proposal}/group", json={"group_id": target})
    if kind == "merge":
        return f.post(f"{base}/groups/{group['id']}/merge", json={"into": other["id"]})
    if kind == "rename":
        return f.patch(f"{base}/groups/{group['id']}", json={"title": f"กลุ่ม {a}"})
    if kind == "issue":
        return f.patch(f"{base}/groups/{group['id']}", json={"is_issue": True})
    if kind == "hide":
        return f.patch(f"{base}/groups/{group['id']}", json={"hidden": True})
    return f.post(f"{base}/groups/{group['id']}/split", json={"proposal_ids": group["members"][:1]})


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    operations=st.lists(OPERATION, min_size=1, max_size=6),
    change=st.sampled_from(["same", "fewer", "more"]),
)
def test_curation_survives_reclustering(
    world: World, operations: list[tuple[str, int, int]], change: str
) -> None:
    created = world.organizer.post(
        "/api/v1/assemblies/", json={"name": "สมัชชาทดสอบคุณสมบัติ", "province": "ทดสอบ"}
    ).json()
    assembly_id = created["assembly"]["id"]
    base = f"/api/v1/assemblies/{assembly_id}"
    world.organizer.post(f"{base}/facilitators", json={"username": "fac"})
    collect = next(s["id"] for s in created["steps"] if s["kind"] == "collect")
    world.facilitator.post(f"{base}/steps/{collect}/open", json={})
    code = created["assembly"]["join_code"]
    phone = type(world.facilitator)(world.client)
    phone.post("/api/v1/join", json={"code": code, "network": "media"})
    ids = [phone.post(f"{base}/proposals", json={"text": t}).json()["id"] for t in TEXTS]

    state = world.facilitator.post(f"{base}/groups/cluster", json={}).json()
    for op in operations:
        response = _apply(world, base, state, op)
        if response is not None:
            assert response.status_code in (200, 400, 409), response.text
            if response.status_code == 200:
                state = response.json()
    curated = {g["id"]: g for g in state["groups"] if g["locked"]}

    after = world.facilitator.post(f"{base}/groups/cluster", json={"change": change}).json()
    groups = {g["id"]: g for g in after["groups"]}
    for group_id, group in curated.items():
        kept = groups[group_id]
        assert (kept["members"], kept["title"], kept["is_issue"], kept["hidden"]) == (
            group["members"],
            group["title"],
            group["is_issue"],
            group["hidden"],
        )
    placed = [p for g in after["groups"] for p in g["members"]] + after["unsorted"]
    assert sorted(placed) == sorted(ids)
    issues = {i["id"] for i in after["issues"]}
    assert issues == {g["id"] for g in after["groups"] if g["is_issue"] and not g["hidden"]}
