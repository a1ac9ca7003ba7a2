"""Fault drills on the live stack: a killed app server, a shared lockout, a stopped Redis, a backup restored."""

import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, replace

import psycopg
import pytest

from tests import test_backup_restore
from tests.deploy.conftest import STACK_DIR, StackClient, run_stack_command
from villages.demo_data import DEMO_VILLAGES

pytestmark = pytest.mark.deploy

WRONG_PASSWORD = "not-the-demo-password"
# The load of the app server drill: LOAD_THREADS clients, each sending LOAD_REQUESTS_PER_THREAD requests evenly
# over LOAD_SECONDS; app server 1 is killed KILL_AFTER_SECONDS in, with every client mid-load.
LOAD_THREADS = 4
LOAD_REQUESTS_PER_THREAD = 75
LOAD_SECONDS = 20.0
KILL_AFTER_SECONDS = 7.0
# How long the drills give a restarted piece of the stack to be healthy again.
RECOVERY_SECONDS = 30.0
IMPORT_ROWS = 50_000
# How long the worker drill waits for the import to reach each state; the whole file takes about a minute.
IMPORT_WAIT_SECONDS = 300.0
# How long the SMTP drill waits for the mail rows to reach each state (retries back off from a second or two).
MAIL_WAIT_SECONDS = 90.0


@dataclass(frozen=True)
class Attempt:
    """One request of the load: what it was, when it ran, and the stack's answer (None: no answer at all)."""

    village: str
    kind: str
    started: float
    ended: float
    status: int | None
    version: int | None = None
    households: int | None = None

    def overlaps(self, start: float, end: float) -> bool:
        return self.started <= end and self.ended >= start


def direct_clients(stack_layout) -> list[StackClient]:
    """Clients of each app server, bypassing nginx with the headers nginx sets, for a client address of their own.

    The address is from a documentation prefix and fresh each run, so the lockout it earns is the test's alone.
    """
    address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "X-Forwarded-For": address}
    return [StackClient(url, headers=headers) for url in stack_layout["STACK_APP_SERVERS"].split(",")]


def token_login_status(client: StackClient, username: str, password: str) -> int:
    return client.send_json("POST", "/api/v1/auth/token/", {"username": username, "password": password}).status


def village_state(client: StackClient, code: str, token: str) -> tuple[int, int]:
    answer = client.send_json("GET", f"/api/v1/villages/{code}/", None, token=token)
    assert answer.status == 200, f"reading village {code} answered {answer.status}: {answer.text}"
    village = json.loads(answer.body)
    return village["version"], village["households"]


class VillageLoad(threading.Thread):
    """Reads (the API item and the HTML page) and versioned PATCHes of one village's households, at a fixed pace.

    Each write sends the version the client last knew. After a write without an answer the client reads the
    village again, since that write may or may not have been committed.
    """

    def __init__(self, client: StackClient, token: str, code: str, start_at: float):
        super().__init__(name=f"load-{code}")
        self.client = client
        self.token = token
        self.code = code
        self.start_at = start_at
        self.attempts: list[Attempt] = []
        self.version, self.households = village_state(client, code, token)
        self.original_households = self.households
        self.failure: BaseException | None = None

    def timed(self, kind: str, method: str, path: str, body=None) -> tuple[Attempt, dict | None]:
        started = time.monotonic()
        try:
            if kind == "page":
                answer = self.client.get(path)
            else:
                answer = self.client.send_json(method, path, body, token=self.token, timeout=30)
        except (OSError, http.client.HTTPException):
            return Attempt(self.code, kind, started, time.monotonic(), None), None
        ended = time.monotonic()
        payload = json.loads(answer.body) if answer.status == 200 and kind != "page" else None
        return Attempt(self.code, kind, started, ended, answer.status), payload

    def write(self) -> None:
        households = self.households + 1
        body = {"version": self.version, "households": households}
        attempt, payload = self.timed("write", "PATCH", f"/api/v1/villages/{self.code}/", body)
        if payload is None:
            self.attempts.append(attempt)
            self.recover()
            return
        self.attempts.append(replace(attempt, version=payload["version"], households=payload["households"]))
        self.version, self.households = payload["version"], payload["households"]

    def recover(self) -> None:
        attempt, payload = self.timed("read", "GET", f"/api/v1/villages/{self.code}/")
        self.attempts.append(attempt)
        if payload is None:
            raise AssertionError(f"reading village {self.code} after a failed write answered {attempt.status}")
        self.version, self.households = payload["version"], payload["households"]

    def run(self) -> None:
        interval = LOAD_SECONDS / LOAD_REQUESTS_PER_THREAD
        try:
            for number in range(LOAD_REQUESTS_PER_THREAD):
                time.sleep(max(0.0, self.start_at + number * interval - time.monotonic()))
                if number % 3 == 0:
                    self.attempts.append(self.timed("read", "GET", f"/api/v1/villages/{self.code}/")[0])
                elif number % 3 == 1:
                    self.attempts.append(self.timed("page", "GET", f"/villages/{self.code}/")[0])
                else:
                    self.write()
        except BaseException as failure:  # noqa: BLE001 - handed to the test, which fails with it
            self.failure = failure


def kill_process_group(name: str) -> None:
    """kill -9 a process of the stack with its children (one process group since stack.sh's setsid), and wait
    until they are gone: until then the kernel may still hand them a connection, which the kill then resets."""
    group = int((STACK_DIR / "run" / f"{name}.pid").read_text())
    os.killpg(group, signal.SIGKILL)
    deadline = time.monotonic() + RECOVERY_SECONDS
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    pytest.fail(f"the processes of {name} outlived kill -9 by {RECOVERY_SECONDS} s")


def test_killing_an_app_server_under_load_loses_no_read_and_no_acknowledged_write(
    stack_url, stack_ssl_context, stack_layout, api_token, stack_database
):
    token = api_token("administrator")
    start_at = time.monotonic() + 1.0
    loads = [
        VillageLoad(StackClient(stack_url, ssl_context=stack_ssl_context), token, village.code, start_at)
        for village in DEMO_VILLAGES[:LOAD_THREADS]
    ]
    try:
        for load in loads:
            load.start()
        time.sleep(max(0.0, start_at + KILL_AFTER_SECONDS - time.monotonic()))
        kill_started = time.monotonic()
        kill_process_group("app-1")
        kill_ended = time.monotonic()
        for load in loads:
            load.join(timeout=LOAD_SECONDS * 4)
    finally:
        run_stack_command("start-app", "1")

    assert [load.failure for load in loads] == [None] * LOAD_THREADS
    attempts = [attempt for load in loads for attempt in load.attempts]
    assert len(attempts) >= LOAD_THREADS * LOAD_REQUESTS_PER_THREAD
    # In flight: sent before app server 1 was gone, answered after it was killed. nginx moves a request to the
    # other app server unless it may have reached the killed one's database work (a write) or the killed one
    # had begun answering it (then the client has part of the answer, and nobody can retry it for him).
    failed = [attempt for attempt in attempts if attempt.status != 200]
    assert [attempt for attempt in failed if not attempt.overlaps(kill_started, kill_ended)] == []
    assert len(failed) <= LOAD_THREADS, "at most one request of each client was in flight"
    assert {attempt.status for attempt in failed} <= {None, 502}
    after_the_kill = [attempt for attempt in attempts if attempt.started > kill_ended]
    assert after_the_kill and {attempt.status for attempt in after_the_kill} == {200}

    for load in loads:
        acknowledged = [(attempt.version, attempt.households) for attempt in load.attempts if attempt.version]
        assert acknowledged, f"no write to village {load.code} was acknowledged"
        history = set(
            stack_database.execute(
                "SELECT version, households FROM villages_historicalvillage WHERE code = %s", [load.code]
            ).fetchall()
        )
        assert [write for write in acknowledged if write not in history] == []
        assert village_state(load.client, load.code, token) == (load.version, load.households)
        restored = load.client.send_json(
            "PATCH",
            f"/api/v1/villages/{load.code}/",
            {"version": load.version, "households": load.original_households},
            token=token,
        )
        assert restored.status == 200, restored.text
    assert direct_clients(stack_layout)[0].get("/villages/").status == 200, "app server 1 is back"


def test_the_nth_wrong_password_alternating_between_app_servers_locks_the_account_on_both(
    stack_layout, stack_setting, stack_manage, demo_accounts, stack_demo_password
):
    limit = stack_setting("AXES_FAILURE_LIMIT")
    username = demo_accounts["reviewer"]
    servers = direct_clients(stack_layout)
    try:
        wrong = [token_login_status(servers[attempt % 2], username, WRONG_PASSWORD) for attempt in range(limit)]
        right = [token_login_status(server, username, stack_demo_password) for server in servers]
    finally:
        stack_manage("axes_reset_username", username)

    assert wrong == [400] * (limit - 1) + [429], "the failures on both app servers count towards one lockout"
    assert right == [429, 429], "once locked, the right password is refused on either app server"
    assert [token_login_status(server, username, stack_demo_password) for server in servers] == [200, 200]


def wait_for_health(client: StackClient) -> int:
    deadline = time.monotonic() + RECOVERY_SECONDS
    status = client.get("/healthz").status
    while status != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        status = client.get("/healthz").status
    return status


def test_with_redis_stopped_the_site_serves_healthz_names_the_cache_and_lockouts_stay_in_force(
    anonymous_client,
    stack_url,
    stack_ssl_context,
    stack_layout,
    stack_setting,
    stack_manage,
    demo_accounts,
    stack_demo_password,
    official_village_code,
):
    limit = stack_setting("AXES_FAILURE_LIMIT")
    username = demo_accounts["official"]
    assert wait_for_health(anonymous_client) == 200, "the drill starts from a healthy stack"
    run_stack_command("stop-redis")
    try:
        village_page = f"/villages/{official_village_code}/"
        pages = ["/dashboard/", "/villages/", village_page, "/api/v1/villages/", "/api/v1/criteria/"]
        page_statuses = {path: anonymous_client.get(path).status for path in pages}
        health = anonymous_client.get("/healthz")
        # Login does not need the cache (sessions and lockouts are in the database): it stays open...
        official = StackClient(stack_url, ssl_context=stack_ssl_context)
        official.log_in(username, stack_demo_password)
        own_page = official.get(f"/villages/{official_village_code}/edit/").status
        # ...and the lockout, kept in the database too, stays in force: Redis down opens no door to guessing.
        servers = direct_clients(stack_layout)
        wrong = [token_login_status(servers[attempt % 2], username, WRONG_PASSWORD) for attempt in range(limit)]
        right = token_login_status(servers[0], username, stack_demo_password)
    finally:
        stack_manage("axes_reset_username", username)
        run_stack_command("start-redis")

    assert page_statuses == dict.fromkeys(pages, 200)
    assert health.status == 503
    assert json.loads(health.body)["failing"] == ["cache"], health.text
    assert own_page == 200
    assert wrong == [400] * (limit - 1) + [429]
    assert right == 429
    assert wait_for_health(anonymous_client) == 200, "with Redis back, /healthz answers 200 again"


def test_a_backup_of_the_stack_restored_into_a_new_database_holds_the_same_registry(
    stack_app_env, stack_manage, tmp_path, monkeypatch
):
    server_url, stack_database_name = stack_app_env["DATABASE_URL"].rsplit("/", 1)
    restored_name = f"registry_stack_restore_{uuid.uuid4().hex[:12]}"
    # The backup tests' fingerprint, pointed at the stack's PostgreSQL server rather than the tests' database.
    monkeypatch.setattr(
        test_backup_restore, "connect", lambda name: psycopg.connect(f"{server_url}/{name}", autocommit=True)
    )
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        before = test_backup_restore.registry_fingerprint(stack_database_name)
        stack_manage("registry_backup", "--output", str(tmp_path))
        (dump,) = tmp_path.glob("*.dump")
        stack_manage("registry_restore", str(dump), "--database-url", f"{server_url}/{restored_name}")
        restored = test_backup_restore.registry_fingerprint(restored_name)
    finally:
        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')

    assert len(before) > 0
    assert before["villages_village"][0] > 0, "the stack's registry holds the demo villages"
    assert restored == before


def multipart_body(fields: dict[str, str], file_field: str, file_name: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body (and its Content-Type) with text fields and one file."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def new_village_codes(stack_database, province: str, count: int) -> list[str]:
    """`count` village codes in townships of `province` that have no village yet, so none of them exists."""
    per_township = 999
    townships = stack_database.execute(
        "SELECT d.code FROM villages_division d WHERE d.level = 'township' AND d.code LIKE %s"
        " AND NOT EXISTS (SELECT 1 FROM villages_village v WHERE v.township_id = d.code) ORDER BY d.code LIMIT %s",
        [f"{province}%", -(-count // per_township)],
    ).fetchall()
    codes = [f"{township}{unit:03d}" for (township,) in townships for unit in range(1, per_township + 1)]
    assert len(codes) >= count, f"province {province} has too few townships without villages for the drill"
    return codes[:count]


def village_count(stack_database, codes: list[str]) -> int:
    return stack_database.execute("SELECT count(*) FROM villages_village WHERE code = ANY(%s)", [codes]).fetchone()[0]


def villages_being_written(stack_database) -> bool:
    """Whether an open transaction has inserted or changed villages (it holds ROW EXCLUSIVE on their table)."""
    return stack_database.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
        " WHERE c.relname = 'villages_village' AND l.mode = 'RowExclusiveLock' AND l.granted"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
    ).fetchone()[0]


def wait_for_job(client: StackClient, token: str, job_id: int, reached) -> dict:
    """The import job once `reached(job)` holds (polled), or the last state seen when the wait runs out."""
    deadline = time.monotonic() + IMPORT_WAIT_SECONDS
    while True:
        answer = client.send_json("GET", f"/api/v1/imports/{job_id}/", None, token=token)
        assert answer.status == 200, answer.text
        job = json.loads(answer.body)
        if reached(job) or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def wait_for_task(stack_database, job_id: int, reached) -> tuple[str, str] | None:
    """The status and error of the job's background task once `reached(status)` holds, or as it stands then."""
    deadline = time.monotonic() + IMPORT_WAIT_SECONDS
    while True:
        row = stack_database.execute(
            "SELECT t.status, t.exception_class_path FROM django_tasks_database_dbtaskresult t "
            "JOIN villages_importjob j ON j.task_id = t.id::text WHERE j.id = %s",
            [job_id],
        ).fetchone()
        if (row and reached(row[0])) or time.monotonic() > deadline:
            return row
        time.sleep(0.2)


def test_killing_the_worker_mid_import_interrupts_the_job_keeps_nothing_and_a_retry_imports_every_row(
    anonymous_client, api_token, stack_database, official_village_code
):
    token = api_token("administrator")
    template = anonymous_client.request(
        "/api/v1/imports/templates/villages.csv?language=en", headers={"Authorization": f"Token {token}"}
    )
    assert template.status == 200, template.text
    header = template.body.decode("utf-8-sig").splitlines()[0]
    codes = new_village_codes(stack_database, official_village_code[:2], IMPORT_ROWS)
    # A code and a name; the other columns of the template stay empty.
    padding = "," * (header.count(",") - 1)
    rows = [f"{code},演练村{number}{padding}" for number, code in enumerate(codes)]
    content = "\n".join([header, *rows, ""]).encode()
    body, content_type = multipart_body({"kind": "villages", "dry_run": "false"}, "file", "drill.csv", content)

    try:
        created = anonymous_client.request(
            "/api/v1/imports/",
            data=body,
            headers={"Authorization": f"Token {token}", "Content-Type": content_type},
            method="POST",
        )
        assert created.status == 201, created.text
        job_id = json.loads(created.body)["id"]
        assert json.loads(created.body)["status"] == "pending", "a file this big must go to the worker"
        # Mid-import: running, and its transaction has written rows of the file (it holds the write lock on the
        # villages table that its first batch took). The job's progress cannot say so: an apply stores its
        # progress inside its own transaction, so nobody else sees it before the commit.
        running = wait_for_job(
            anonymous_client,
            token,
            job_id,
            lambda job: (
                job["status"] != "pending" and (job["status"] != "running" or villages_being_written(stack_database))
            ),
        )
        assert running["status"] == "running", running
        try:
            kill_process_group("worker")
        finally:
            run_stack_command("start-worker")
        interrupted = wait_for_job(anonymous_client, token, job_id, lambda job: job["status"] != "running")
        # The killed worker's task row is not left "running" either: the restarted worker's sweep fails it.
        lost_task = wait_for_task(stack_database, job_id, lambda status: status != "RUNNING")
        kept_rows = village_count(stack_database, codes)
        retried = anonymous_client.send_json("POST", f"/api/v1/imports/{job_id}/retry/", None, token=token)
        applied = wait_for_job(anonymous_client, token, job_id, lambda job: job["status"] not in ("pending", "running"))
        imported_rows = village_count(stack_database, codes)
    finally:
        # The drill's villages go again, so that the stack holds what it held before.
        stack_database.execute("DELETE FROM villages_historicalvillage WHERE code = ANY(%s)", [codes])
        stack_database.execute("DELETE FROM villages_village WHERE code = ANY(%s)", [codes])

    assert interrupted["status"] == "interrupted", interrupted
    assert lost_task == ("FAILED", "villages.services.background.WorkerLost"), lost_task
    assert kept_rows == 0, "a file is applied as a whole or not at all"
    assert retried.status == 200, retried.text
    assert (applied["status"], applied["created_count"]) == ("applied", IMPORT_ROWS), applied
    assert imported_rows == IMPORT_ROWS


class SmtpResponder(threading.Thread):
    """A minimal SMTP server on one port: 220, EHLO/HELO 250, MAIL/RCPT 250, DATA 354 then 250, QUIT 221.

    With `answers=False` it accepts connections and never says a word, like a mail server that hangs. What it
    received is in `messages`, one text per DATA, and `recipients` (RCPT TO).
    """

    def __init__(self, port: int, *, answers: bool):
        super().__init__(name=f"smtp-{port}", daemon=True)
        self.answers = answers
        self.messages: list[str] = []
        self.recipients: list[str] = []
        self.listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self.listener.settimeout(0.2)
        self.stopping = threading.Event()
        self.connections: list[socket.socket] = []

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            self.connections.append(connection)
            if self.answers:
                threading.Thread(target=self.converse, args=(connection,), daemon=True).start()

    def converse(self, connection: socket.socket) -> None:
        stream = connection.makefile("rwb")
        stream.write(b"220 drill.test ESMTP\r\n")
        stream.flush()
        data, in_data = [], False
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if in_data:
                if line == ".":
                    self.messages.append("\n".join(data))
                    data, in_data = [], False
                    stream.write(b"250 queued\r\n")
                else:
                    data.append(line)
                    continue
            else:
                verb = line[:4].upper()
                if verb == "RCPT":
                    self.recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                if verb == "DATA":
                    in_data = True
                    stream.write(b"354 end with .\r\n")
                elif verb == "QUIT":
                    stream.write(b"221 bye\r\n")
                    stream.flush()
                    break
                else:
                    stream.write(b"250 ok\r\n")
            stream.flush()
        connection.close()

    def stop(self) -> None:
        self.stopping.set()
        if self.is_alive():
            self.join()
        for connection in self.connections:
            connection.close()
        self.listener.close()


def report_mail(stack_database, report_id: int) -> list[tuple[str, str, int, str]]:
    """The report's recorded mail: recipient, status, attempts and last error, oldest first."""
    return stack_database.execute(
        "SELECT recipient, status, attempts, last_error FROM villages_outboundmail WHERE report_id = %s ORDER BY id",
        [report_id],
    ).fetchall()


def wait_for_mail(stack_database, report_id: int, reached) -> list[tuple[str, str, int, str]]:
    """The report's mail once `reached(rows)` holds (polled), or as it stands when the wait runs out."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    rows = report_mail(stack_database, report_id)
    while not reached(rows) and time.monotonic() < deadline:
        time.sleep(0.2)
        rows = report_mail(stack_database, report_id)
    return rows


def timed_transition(client: StackClient, token: str, report_id: int, step: str, body: dict) -> tuple[int, float]:
    started = time.monotonic()
    answer = client.send_json("POST", f"/api/v1/reports/{report_id}/{step}/", body, token=token)
    return answer.status, time.monotonic() - started


def test_mail_to_an_unreachable_or_silent_smtp_server_never_holds_a_transition_past_a_second_and_is_sent_when_it_works(
    anonymous_client, api_token, stack_app_env, stack_setting, stack_database
):
    if "EMAIL_PORT" not in stack_app_env:
        pytest.fail("the stack sends mail to the default SMTP port: start it with EMAIL_HOST=127.0.0.1 EMAIL_PORT=2526")
    port = int(stack_app_env["EMAIL_PORT"])
    email_timeout = stack_setting("EMAIL_TIMEOUT")
    official, reviewer = api_token("official"), api_token("reviewer")
    listing = anonymous_client.send_json("GET", "/api/v1/reports/?status=returned", None, token=official)
    assert listing.status == 200, listing.text
    report_id = json.loads(listing.body)["results"][0]["id"]
    already_recorded = len(report_mail(stack_database, report_id))

    def new_mail(rows):
        return rows[already_recorded:]

    # Transitions are timed while the mail cannot go out: each must answer at once, whatever the SMTP server does.
    durations: list[float] = []
    statuses: list[int] = []

    def transitions(*steps: str) -> None:
        for step in steps:
            body = {"comment": "故障演练"} if step == "reopen" else ({"comment": ""} if step == "approve" else {})
            status, seconds = timed_transition(anonymous_client, reviewer if step != "submit" else official,
                                               report_id, step, body)
            statuses.append(status)
            durations.append(seconds)

    # 1. Nothing listens on the SMTP port: the submit answers at once, and its mail waits for a retry.
    transitions("submit")
    refused = wait_for_mail(
        stack_database, report_id, lambda rows: new_mail(rows) and all(row[2] and row[3] for row in new_mail(rows))
    )
    silent = SmtpResponder(port, answers=False)
    working = None
    try:
        # 2. A server that accepts and never answers: each try ends after EMAIL_TIMEOUT, in the background.
        silent.start()
        # A whole cycle while the server hangs: approve, reopen, resubmit, approve.
        transitions("approve", "reopen", "submit", "approve")
        queued_while_silent = len(new_mail(report_mail(stack_database, report_id))) - len(new_mail(refused))

        def while_silent(rows):
            return new_mail(rows)[len(new_mail(refused)):]

        timed_out = wait_for_mail(
            stack_database,
            report_id,
            lambda rows: (
                len(while_silent(rows)) >= queued_while_silent
                and all(row[2] and "timed out" in row[3].lower() for row in while_silent(rows))
            ),
        )
        silent.stop()
        # 3. A server that works: every queued message goes out at its next retry.
        working = SmtpResponder(port, answers=True)
        working.start()
        sent = wait_for_mail(stack_database, report_id, lambda rows: all(row[1] == "sent" for row in new_mail(rows)))
        # The report goes back to where it was (returned); the reopen's mail is sent too before the server goes.
        reopened = timed_transition(anonymous_client, reviewer, report_id, "reopen", {"comment": "故障演练"})
        after_reopen = wait_for_mail(
            stack_database,
            report_id,
            lambda rows: len(rows) > len(sent) and all(row[1] == "sent" for row in new_mail(rows)),
        )
    finally:
        silent.stop()
        if working:
            working.stop()

    assert statuses == [200] * 5 and reopened[0] == 200, statuses
    assert statistics.median(durations) < 1.0, f"a transition answers within a second: {durations}"
    assert max(durations) < email_timeout, f"no transition waits for the SMTP server: {durations}"
    assert {row[1] for row in new_mail(refused)} == {"queued"} and all(row[2] >= 1 for row in new_mail(refused))
    assert all("Refused" in row[3] for row in new_mail(refused)), new_mail(refused)
    assert queued_while_silent >= 4, "each step of the cycle queued its mail"
    assert all(row[1] == "queued" and "timed out" in row[3].lower() for row in while_silent(timed_out)), timed_out
    assert [row[1] for row in new_mail(sent)] == ["sent"] * len(new_mail(timed_out))
    assert all(row[2] >= 2 for row in new_mail(sent)), "each message was tried again until it went out"
    assert len(after_reopen) > len(sent) and {row[1] for row in new_mail(after_reopen)} == {"sent"}
    assert Counter(row[0] for row in new_mail(after_reopen)) <= Counter(working.recipients), "the responder got each"
