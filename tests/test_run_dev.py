"""`make run` starts a background worker beside the development server (scripts/run-dev.sh),
both on the database task queue, and stops it when the server stops. The script is run with a
fake python that records what it was asked to start."""

import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "run-dev.sh"

# Stands in for the virtualenv's python: records each start (with the task backend it was
# given) in $FAKE_LOG; "db_worker" runs until SIGTERM, "runserver" until $FAKE_SERVER_EXIT says
# how to end (an exit status, or "wait" for Ctrl-C).
FAKE_PYTHON = r"""#!/usr/bin/env bash
command=$2
# Signals are trapped before the start is logged, which the test waits for.
if [ "$command" = db_worker ]; then
    trap 'echo "stop db_worker" >> "$FAKE_LOG"; exit 0' TERM
elif [ "$FAKE_SERVER_EXIT" = wait ]; then
    trap 'echo "stop runserver" >> "$FAKE_LOG"; exit 130' INT
fi
echo "start $command TASKS_BACKEND=$TASKS_BACKEND DEBUG=$DEBUG args=${*:3}" >> "$FAKE_LOG"
if [ "$command" = db_worker ] || [ "$FAKE_SERVER_EXIT" = wait ]; then
    while true; do sleep 0.05; done
fi
until grep -q "start db_worker" "$FAKE_LOG"; do sleep 0.05; done
echo "stop runserver" >> "$FAKE_LOG"
exit "$FAKE_SERVER_EXIT"
"""


def fake_python(tmp_path, server_exit):
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    log = tmp_path / "log"
    log.touch()
    env = {**os.environ, "FAKE_LOG": str(log), "FAKE_SERVER_EXIT": server_exit}
    env.pop("TASKS_BACKEND", None)
    return python, log, env


def lines(log):
    return log.read_text().splitlines()


def test_make_run_migrates_with_the_task_table_and_runs_the_script():
    # Under CI this test itself runs inside `make test`: the outer make's flags would make the
    # inner one print "Entering/Leaving directory" lines among the planned commands.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "PORT=8123"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout.splitlines()

    migrate = next(line for line in planned if "manage.py migrate" in line)
    assert "TASKS_BACKEND=database" in migrate
    assert planned[-1] == "scripts/run-dev.sh .venv/bin/python 127.0.0.1:8123"


def test_the_worker_starts_with_the_server_and_stops_when_it_ends(tmp_path):
    python, log, env = fake_python(tmp_path, server_exit="0")

    subprocess.run([SCRIPT, python, "127.0.0.1:8123"], env=env, check=True, timeout=30)

    started, stopped = lines(log)[:2], lines(log)[2:]
    assert sorted(started) == [  # the two start side by side, in either order
        "start db_worker TASKS_BACKEND=database DEBUG=true args=",
        "start runserver TASKS_BACKEND=database DEBUG=true args=127.0.0.1:8123",
    ]
    assert stopped == ["stop runserver", "stop db_worker"]


def test_a_server_that_fails_still_stops_the_worker(tmp_path):
    python, log, env = fake_python(tmp_path, server_exit="3")

    ended = subprocess.run([SCRIPT, python], env=env, timeout=30)

    assert ended.returncode == 3
    assert lines(log)[-2:] == ["stop runserver", "stop db_worker"]


def test_ctrl_c_stops_the_server_and_then_the_worker(tmp_path):
    python, log, env = fake_python(tmp_path, server_exit="wait")
    started = subprocess.Popen([SCRIPT, python], env=env, start_new_session=True)
    deadline = time.monotonic() + 20
    while len(lines(log)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)

    os.killpg(started.pid, signal.SIGINT)  # what the terminal sends to the whole group
    started.wait(timeout=20)

    assert lines(log)[-2:] == ["stop runserver", "stop db_worker"]
