"""`samatcha demo` as a newcomer starts it: the link it prints, who can open it, its passwords,
its warning that the data goes away, and the CLI finding its data afterwards.

Each test starts the real command (it makes the demo assembly, then serves it) in its own
data folder and reads what it printed, as the person at the terminal does.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pytest

from assembly.lan import lan_address

SAMATCHA = [sys.executable, "-m", "assembly.cli"]
START_SECONDS = 90  # the demo makes an assembly with 40 proposals before it listens
BANNER_END = "database:"
OLD_FIXED_PASSWORD = "samatcha-demo"  # was in the source before passwords were generated


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Demo:
    process: subprocess.Popen[str]
    port: int
    banner: str
    data_dir: Path

    @property
    def local(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def password(self, user: str) -> str:
        found = re.search(rf'user "{user}"\s+password "([^"]+)"', self.banner)
        assert found, self.banner
        return found[1]

    def code(self) -> str:
        found = re.search(r"code (\d{8})", self.banner)
        assert found, self.banner
        return found[1]

    def assembly_id(self) -> int:
        found = re.search(r"/present/(\d+)", self.banner)
        assert found, self.banner
        return int(found[1])

    def logged_in(self, user: str) -> httpx.Client:
        client = httpx.Client(base_url=self.local, timeout=10)
        answer = client.post(
            "/api/v1/login", json={"username": user, "password": self.password(user)}
        )
        assert answer.status_code == 200, answer.text
        return client


def _read_lines(stream: IO[str], into: queue.Queue[str]) -> None:
    """What the process prints, line by line, so the test waits with a deadline, not forever."""
    for line in stream:
        into.put(line)


def start_demo(folder: Path, *args: str) -> Iterator[Demo]:
    port = free_port()
    env = {**os.environ, "SAMATCHA_DATA_DIR": str(folder)}
    for name in ("SAMATCHA_DATABASE_URL", "SAMATCHA_PUBLIC_URL", "SAMATCHA_DEMO"):
        env.pop(name, None)
    process = subprocess.Popen(
        [*SAMATCHA, "demo", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
        seen: list[str] = []
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and not any(BANNER_END in line for line in seen):
            try:
                seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                break
        banner = "".join(seen)
        assert BANNER_END in banner, f"no banner in {START_SECONDS} s:\n{banner}"
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield Demo(process, port, banner, folder)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(scope="module")
def hall_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`./demo.sh --host 0.0.0.0`: open to the phones of the hall."""
    yield from start_demo(tmp_path_factory.mktemp("hall-demo"), "--host", "0.0.0.0")


@pytest.fixture(scope="module")
def local_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`./demo.sh` with no options."""
    yield from start_demo(tmp_path_factory.mktemp("local-demo"))


def test_the_hall_demo_prints_a_link_phones_can_open_and_puts_it_in_the_presenters_qr(
    hall_demo: Demo,
) -> None:
    lan = lan_address()
    if lan is None:
        pytest.skip("this machine has no network address for phones to reach")
    assert not lan.startswith("127.")
    link = f"http://{lan}:{hall_demo.port}/j/{hall_demo.code()}"
    assert f"participants:   {link}" in hall_demo.banner
    assert "127.0.1.1" not in hall_demo.banner
    # it really listens there, and the presenter (opened on the laptop) shows the same link
    assert httpx.get(f"http://{lan}:{hall_demo.port}/healthz", timeout=5).status_code == 200
    facilitator = hall_demo.logged_in("facilitator")
    presenter = facilitator.get(f"/present/{hall_demo.assembly_id()}")
    facilitator.close()
    assert presenter.status_code == 200
    assert f'<p class="join-url">{link}</p>' in presenter.text


def test_demo_passwords_are_made_per_start_and_the_old_fixed_one_is_refused(
    hall_demo: Demo, local_demo: Demo
) -> None:
    passwords = {
        hall_demo.password("facilitator"),
        hall_demo.password("organizer"),
        local_demo.password("facilitator"),
        local_demo.password("organizer"),
    }
    assert len(passwords) == 4
    assert OLD_FIXED_PASSWORD not in passwords
    for user in ("organizer", "facilitator"):
        refused = httpx.post(
            f"{hall_demo.local}/api/v1/login",
            json={"username": user, "password": OLD_FIXED_PASSWORD},
            timeout=10,
        )
        assert refused.status_code == 401
        hall_demo.logged_in(user).close()
    source = (Path(__file__).resolve().parents[2] / "assembly" / "demo.py").read_text("utf-8")
    assert OLD_FIXED_PASSWORD not in source


def test_a_guessed_device_cookie_is_not_a_seeded_participant(hall_demo: Demo) -> None:
    aid = hall_demo.assembly_id()
    for guess in ("demo-device-0", "demo-device-1", "demo-device-39"):
        page = httpx.get(
            f"{hall_demo.local}/a/{aid}",
            cookies={"samatcha_device": guess},
            follow_redirects=False,
            timeout=10,
        )
        assert page.status_code == 303, guess
        assert page.headers["location"].startswith("/j/"), guess


def test_the_organizers_pages_say_the_demo_data_is_deleted_on_the_next_start(
    hall_demo: Demo,
) -> None:
    assert "ถูกลบเมื่อเริ่ม demo ครั้งถัดไป" in hall_demo.banner
    assert "deleted when the demo starts" in hall_demo.banner
    organizer = hall_demo.logged_in("organizer")
    try:
        for path in ("/organize", f"/organize/{hall_demo.assembly_id()}"):
            page = organizer.get(path)
            assert page.status_code == 200
            assert 'class="demo-banner"' in page.text, path
            assert "โหมดสาธิต" in page.text, path
            assert "จะถูกลบเมื่อเริ่มโหมดสาธิตครั้งถัดไป" in page.text, path
    finally:
        organizer.close()


def test_the_default_demo_listens_on_this_computer_only_and_says_how_to_open_it(
    local_demo: Demo,
) -> None:
    assert "เปิดได้เฉพาะบนเครื่องนี้" in local_demo.banner
    assert "only this computer can open it" in local_demo.banner
    assert "./demo.sh --host 0.0.0.0" in local_demo.banner
    assert httpx.get(f"{local_demo.local}/healthz", timeout=5).status_code == 200
    lan = lan_address()
    if lan is not None:
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://{lan}:{local_demo.port}/healthz", timeout=5)


def samatcha(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAMATCHA_DATA_DIR": str(data_dir)}
    env.pop("SAMATCHA_DATABASE_URL", None)
    return subprocess.run(
        [*SAMATCHA, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_export_and_backup_find_the_demos_data_or_say_which_file_they_looked_at(
    local_demo: Demo, tmp_path: Path
) -> None:
    aid = str(local_demo.assembly_id())
    out = tmp_path / "demo.json"
    real_db = local_demo.data_dir / "samatcha.sqlite3"

    refused = samatcha(local_demo.data_dir, "export", aid, "--format", "json", "-o", str(out))
    assert refused.returncode != 0
    assert str(real_db) in refused.stderr
    assert "--demo" in refused.stderr  # where the data is
    assert not real_db.exists()  # no empty database made on the way
    assert not out.exists()

    exported = samatcha(
        local_demo.data_dir, "export", aid, "--format", "json", "--demo", "-o", str(out)
    )
    assert exported.returncode == 0, exported.stderr
    assert str(local_demo.data_dir / "demo.sqlite3") in exported.stderr
    assert "เปิดเผยงบประมาณของ อบต." in out.read_text(encoding="utf-8")

    no_backup = samatcha(local_demo.data_dir, "backup", "--output", str(tmp_path / "b.sqlite3"))
    assert no_backup.returncode != 0
    assert str(real_db) in no_backup.stderr
    assert "--demo" in no_backup.stderr
    backup = samatcha(
        local_demo.data_dir, "backup", "--demo", "--output", str(tmp_path / "b.sqlite3")
    )
    assert backup.returncode == 0, backup.stderr
    assert (tmp_path / "b.sqlite3").stat().st_size > 0


def test_export_and_backup_refuse_an_empty_database(tmp_path: Path) -> None:
    """A database with the schema but no assembly (made by `samatcha user create`)."""
    made = subprocess.run(
        [*SAMATCHA, "user", "create", "--role", "organizer", "--username", "somchai"],
        env={**os.environ, "SAMATCHA_DATA_DIR": str(tmp_path), "SAMATCHA_PASSWORD": "long enough"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    for args in (("export", "1", "--format", "md", "-o", str(tmp_path / "a.md")), ("backup",)):
        refused = samatcha(tmp_path, *args)
        assert refused.returncode != 0, args
        assert "has no assemblies" in refused.stderr, refused.stderr
        assert str(tmp_path / "samatcha.sqlite3") in refused.stderr
    assert not (tmp_path / "a.md").exists()
