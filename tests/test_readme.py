"""The README's examples run as written: every shell block from a folder holding the project's
environment as ``.venv`` (the first two, the install commands, are what ``.ci/run`` runs), every
Python block, and every JSON example is a valid profile or prospect.

The shell blocks run with this checkout's code (``PYTHONPATH``) and, like every test, with a
data folder of their own (``XDG_DATA_HOME``, set by ``tests/conftest.py``).
"""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from features import criteria
from features.profile import Profile
from features.vocab import PROFESSION_CODES
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"```(\w+)\n(.*?)\n```", re.S)
#: Shell blocks not run here, by their first line, and why.
NOT_RUN = {
    "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/sohosolo serve": (
        "the main job: .ci/run runs it in a fresh environment"
    ),
    'python3 -m venv .venv && .venv/bin/pip install -e ".[dev]" && .venv/bin/python -m pytest': (
        "the test suite itself: .ci/run runs it"
    ),
    ".venv/bin/sohosolo data build --raw ../shared/data/raw --out geodata/data": (
        "rewrites the packaged data from the raw files (tests/geodata/test_build.py builds them)"
    ),
    ".venv/bin/sohosolo data build --raw ../shared/data/raw --out geodata/data --ftth "
    "2025t4_commune.dbf": "needs an ARCEP file downloaded by hand",
    **dict.fromkeys(
        [
            "export SOHOSOLO_DATABASE_URL=postgresql+psycopg://sohosolo@127.0.0.1:5432/sohosolo",
            ".venv/bin/sohosolo db upgrade",
            'pg_dump --format=custom --file=sohosolo.dump "${SOHOSOLO_DATABASE_URL/+psycopg/}"',
            "pg_restore --clean --if-exists --no-owner --single-transaction "
            '--dbname="${SOHOSOLO_DATABASE_URL/+psycopg/}" sohosolo.dump',
        ],
        "the deployment guide, on PostgreSQL and Redis: tests/service/test_deployment.py runs it",
    ),
}
#: What some blocks must leave behind, by their first line's start.
WRITES = {
    ".venv/bin/sohosolo data check": ["fibre.svg"],
    "cat > profile.json": ["profile.json"],
    "STAFF_KEY=": ["prospect.json", "shortlist.html"],
    ".venv/bin/sohosolo db upgrade   # makes": ["sohosolo-backup.sqlite3"],
}
#: The port the README's server walkthrough uses, as a newcomer would.
README_PORT = 8000
BLOCK_SECONDS = 300


def blocks(language: str) -> list[str]:
    return [text for found, text in BLOCK.findall(README) if found == language]


def shell_blocks() -> list[str]:
    return [block for block in blocks("bash") if block.splitlines()[0] not in NOT_RUN]


def test_every_shell_block_is_run_or_says_why_not() -> None:
    firsts = [block.splitlines()[0] for block in blocks("bash")]
    assert set(NOT_RUN) <= set(firsts), "a block named in NOT_RUN is gone from the README"
    for block in shell_blocks():
        assert "sohosolo " not in block.replace(".venv/bin/sohosolo ", ""), (
            f"a command that needs an activated environment: {block.splitlines()[0]}"
        )


@pytest.fixture
def project_folder(tmp_path: Path) -> Path:
    """A folder that holds the environment running the tests as ``.venv``."""
    if sys.prefix == sys.base_prefix:
        pytest.skip("the tests run outside a virtual environment: no .venv to run as written")
    (tmp_path / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return tmp_path


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("block", shell_blocks(), ids=lambda b: b.splitlines()[0][:40])
def test_the_shell_block_runs_as_written(project_folder: Path, block: str) -> None:
    if f":{README_PORT}" in block and not port_is_free(README_PORT):
        pytest.skip(f"port {README_PORT}, which the README's server uses, is taken here")
    env = os.environ | {"PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=project_folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # a server the block starts is stopped with it
    )
    try:
        output, _ = process.communicate(timeout=BLOCK_SECONDS)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait()
    assert process.returncode == 0, output
    first = block.splitlines()[0]
    for prefix, files in WRITES.items():
        if first.startswith(prefix):
            for name in files:
                assert (project_folder / name).stat().st_size > 0, f"{name} not written"


@pytest.mark.parametrize("block", blocks("python"), ids=lambda b: b.splitlines()[0][:40])
def test_the_python_block_runs(block: str) -> None:
    exec(compile(block, "README.md", "exec"), {})


def test_the_json_examples_are_a_profile_and_a_prospect() -> None:
    from service.schemas import ProspectIn

    profile, prospect = (json.loads(block) for block in blocks("json"))
    Profile.model_validate(profile)
    ProspectIn.model_validate(prospect)
    walkthrough = next(block for block in blocks("bash") if "prospect.json" in block)
    written = walkthrough.split("<<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0]
    ProspectIn.model_validate_json(written)


def test_the_profile_table_lists_every_code() -> None:
    table = README[README.index("| `profession` (required)") :]
    professions, *_ = table.splitlines()
    assert re.findall(r"`(\w+)`", professions)[1:] == list(PROFESSION_CODES)
    must = next(line for line in table.splitlines() if line.startswith("| `must`"))
    assert re.findall(r"`(\w+)`", must)[1:] == list(criteria.codes())
