"""`samatcha cluster FILE` as someone evaluating or working offline runs it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assembly.cli import main

THEMES = [
    "รณรงค์ให้ใส่หมวกกันน็อกทุกครั้ง",
    "สวมหมวกกันน็อกเมื่อขี่มอเตอร์ไซค์",
    "เปิดเผยงบประมาณของ อบต. ให้ตรวจสอบได้",
    "ประกาศการใช้งบประมาณหมู่บ้าน",
    "ร้านค้าความซื่อสัตย์ในโรงเรียน",
    "😀😀😀",
    "12345",
    "ส่งเสริมร้านค้าความซื่อสัตย์ในชุมชน",
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(["cluster", *args])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_row_is_in_exactly_one_cluster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(
        tmp_path / "p.csv", [["id", "text"], *[[str(i), t] for i, t in enumerate(THEMES)]]
    )
    code, out, _ = run(capsys, str(path), "--quiet")
    assert code == 0
    clusters = json.loads(out)["clusters"]
    members = sorted(m for c in clusters for m in c["members"])
    assert members == list(range(len(THEMES)))
    assert all(isinstance(c["title"], str) and isinstance(c["terms"], list) for c in clusters)
    wordless = next(c for c in clusters if 5 in c["members"])
    assert sorted(wordless["members"]) == [5, 6], "emoji and digits rows are kept, apart"


def test_a_requested_number_of_clusters_and_csv_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [["ข้อเสนอ", "เครือข่าย"], *[[t, "ภาครัฐ"] for t in THEMES[:5]]]
    path = write_csv(tmp_path / "thai.csv", rows, encoding="cp874")
    code, out, _ = run(capsys, str(path), "--clusters", "2", "--text-column", "ข้อเสนอ")
    assert code == 0
    assert len(json.loads(out)["clusters"]) == 2
    code, out, _ = run(capsys, str(path), "--format", "csv", "--clusters", "3")
    lines = list(csv.reader(io.StringIO(out)))
    assert lines[0] == ["row", "cluster", "title", "terms"]
    assert [int(line[0]) for line in lines[1:]] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"", (), "empty"),
        (b"text\n", ("--text-column", "proposal"), "no column 'proposal'"),
        (b"\x00\x01\x02\xff" * 200, (), "not a readable CSV"),
        (b"text\n" + b"a\n" * 3, ("--clusters", "0"), "at least 1"),
        (b"text,network\na,x\n", ("--network-column", "sector"), "no column 'sector'"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    args: tuple[str, ...],
    message: str,
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    code, out, err = run(capsys, str(path), *args)
    assert code == 2
    assert out == ""
    assert message in err


def test_a_fifty_thousand_row_file_is_refused_quickly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "big.csv", [["text"], *[[f"ข้อเสนอที่ {i}"] for i in range(50_000)]])
    code, _, err = run(capsys, str(path))
    assert code == 2
    assert "50000 rows" in err
    missing = run(capsys, str(tmp_path / "nope.csv"))
    assert missing[0] == 2
    assert "cannot read" in missing[2]


def test_the_installed_command_shows_progress_on_stderr(tmp_path: Path) -> None:
    texts = [THEMES[i % 5] + f" ข้อ {i}" for i in range(220)]
    path = write_csv(tmp_path / "long.csv", [["text"], *[[t] for t in texts]])
    done = subprocess.run(
        [sys.executable, "-m", "assembly.cli", "cluster", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    assert "embedding [" in done.stderr
    assert "220/220" in done.stderr
    members = sorted(m for c in json.loads(done.stdout)["clusters"] for m in c["members"])
    assert members == list(range(220))
