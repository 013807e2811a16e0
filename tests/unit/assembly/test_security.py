"""The password hash a served Samatcha stores (the suite hashes more cheaply in its own process:
tests/conftest.py `cheap_password_hashes`)."""

from __future__ import annotations

import subprocess
import sys

from argon2 import PasswordHasher, Type, extract_parameters


def test_a_served_app_hashes_passwords_at_argon2ids_recommended_cost() -> None:
    made = subprocess.run(
        [
            sys.executable,
            "-c",
            "from assembly.security import hash_password; print(hash_password('ครูสมศรี 2570'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    parameters = extract_parameters(made)
    recommended = PasswordHasher()
    assert parameters.type is Type.ID
    assert parameters.time_cost == recommended.time_cost >= 2
    assert parameters.memory_cost == recommended.memory_cost >= 19 * 1024  # KiB (OWASP floor)
    assert parameters.parallelism == recommended.parallelism
    assert recommended.verify(made, "ครูสมศรี 2570")
