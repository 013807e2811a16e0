"""`./demo.sh` installs only when it must: a first run, or a changed pyproject.toml.

The script runs for real (bash, python3 for the hash) in a copy of the repository's
demo.sh and pyproject.toml; the virtualenv's `python` and `samatcha` are stand-ins that
record how they were called, so the test sees whether pip ran without installing anything.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
RECORDER = '#!/bin/sh\necho "{name} $*" >> "$(dirname "$0")/../../calls.log"\n'


def make_checkout(folder: Path) -> Path:
    shutil.copy(ROOT / "demo.sh", folder / "demo.sh")
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    bin_dir = folder / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "samatcha"):
        (bin_dir / name).write_text(RECORDER.format(name=name), encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    return folder


def run_demo(folder: Path) -> list[str]:
    log = folder / "calls.log"
    log.unlink(missing_ok=True)
    done = subprocess.run(
        ["bash", str(folder / "demo.sh"), "--host", "0.0.0.0", "--port", "8080"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    return log.read_text(encoding="utf-8").splitlines()


def test_demo_sh_installs_on_the_first_run_then_starts_at_once(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    first = run_demo(checkout)
    assert any("pip install" in call and "-e ." in call for call in first), first
    assert first[-1] == "samatcha demo --host 0.0.0.0 --port 8080"
    stamp = checkout / ".venv" / ".samatcha-install-stamp"
    expected = hashlib.sha256((checkout / "pyproject.toml").read_bytes()).hexdigest()
    assert stamp.read_text(encoding="utf-8").strip() == expected

    again = run_demo(checkout)
    assert again == ["samatcha demo --host 0.0.0.0 --port 8080"]


def test_demo_sh_installs_again_when_pyproject_changes(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    run_demo(checkout)
    with (checkout / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write("\n# a new dependency would change this file\n")
    changed = run_demo(checkout)
    assert any("pip install" in call for call in changed), changed
    assert run_demo(checkout) == ["samatcha demo --host 0.0.0.0 --port 8080"]
