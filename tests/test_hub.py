"""nbgrader's whole round trip through a real JupyterHub on localhost, as a class would run it.

A JupyterHub (``DummyAuthenticator`` with one password, ``SimpleLocalProcessSpawner``: every
user runs as the current Unix user with a home of their own in a temporary directory, so no
root and no ``useradd``) with its proxy ``configurable-http-proxy`` from npm, on free
loopback ports. Its users: ``instructor``, whose home is a course written by
``tools/make_course.py``, and three students, ``alice``, ``bob`` and ``carol``. nbgrader's
exchange is a temporary directory. Each user logs in with the password through the hub's
REST API (``POST /hub/api/users/NAME/tokens`` with the password in the body, which returns
an API token), starts their own server (``POST /hub/api/users/NAME/server``) and from then on
acts only through it, behind the proxy at ``/user/NAME/``:

* the instructor lists the students in the gradebook, generates and releases ``ex00``
  (nbgrader's formgrader API, ``/formgrader/api/...``: what its buttons call);
* each student fetches it (nbgrader's assignment-list API, ``/assignments/fetch``: what the
  Assignments tab calls), reads it with the contents API, answers it (``alice``: the
  solution; ``bob``: tasks 3 and 6 wrong; ``carol``: nothing), saves it with the contents
  API and submits it (``/assignments/submit``);
* the instructor collects, autogrades each student, generates and releases the feedback;
* each student fetches the feedback (``/assignments/fetch_feedback``) and reads its HTML
  with the contents API.

The answers are made by tests/test_autograde.py's generators of submissions. The grades are
read back from nbgrader's gradebook, per task and in total, and each student's feedback must
show that student's check messages. Every wait has a time limit; the hub, the proxy, the
single-user servers and their kernels are ended when the test ends, passed or failed (each
carries a marker in its environment, ``REGLAB_HUB_TEST``, by which it is found).

nbgrader's exchange names a submission after the Unix user by default; here all hub users
are one Unix user, so each student's nbgrader config names the student
(``CourseDirectory.student_id``), and ``collect`` does not compare that name with the file's
owner (``ExchangeCollect.check_owner``). On a real hub each user is a Unix user of their own
and neither setting is needed.

``make test-hub`` installs JupyterHub and nbgrader (the ``hub`` extra, in a venv of its own)
and the proxy (npm) and runs this file there; elsewhere it is skipped.
"""

import html
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("jupyterhub", reason="JupyterHub is not installed here: `make test-hub` "
                                         "runs this test in a venv of its own")
pytest.importorskip("nbgrader", reason="nbgrader is not installed here: `make test-hub` "
                                       "runs this test in a venv of its own")

import psutil  # noqa: E402
import requests  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROXY = Path(sys.prefix) / "node" / "node_modules" / ".bin" / "configurable-http-proxy"

_spec = importlib.util.spec_from_file_location("test_autograde", ROOT / "tests" /
                                               "test_autograde.py")
autograde = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(autograde)

COURSE = "reglab"
ASSIGNMENT = "ex00"
NOTEBOOK = autograde.NAMES[ASSIGNMENT]
INSTRUCTOR = "instructor"
PASSWORD = secrets.token_urlsafe(12)
WAIT = 120         # seconds: the hub up, a server started (4 at once: ~55 s on 2 busy cores)
REQUEST = 180      # seconds for one request (autograding one notebook takes ~10 s)


def _answers(scratch):
    """student -> (edit of the released notebook, expected score of each of the 6 checks)."""
    checks = [f"task{i}-check" for i in range(1, 7)]
    return {
        "alice": (None, dict.fromkeys(checks, 1)),
        "bob": (autograde._all(
                    autograde._set("task3-code", "def lp_norm(x, p):\n"
                                                 "    return float(np.sum(np.abs(x) ** p))"),
                    autograde._set("task6-code", 'answer = "b"')),
                {**dict.fromkeys(checks, 1), "task3-check": 0, "task6-check": 0}),
        "carol": (autograde._untouched(scratch, ASSIGNMENT), dict.fromkeys(checks, 0)),
    }


#: what each student's feedback must show: the checks' own messages
FEEDBACK = {
    "alice": ["✓ l1_norm passed", "✓ exercise 5: (c) is right"],
    "bob": ["✓ l1_norm passed", "you forgot the outer power 1/p",
            "(b) is not right"],
    "carol": ["l1_norm is not implemented yet"],
}
STUDENTS = list(FEEDBACK)

HUB_CONFIG = """\
c = get_config()
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.JupyterHub.db_url = "sqlite:///{tmp}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{tmp}/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.command = ["{proxy}"]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = "{tmp}/proxy.pid"
c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
c.DummyAuthenticator.password = "{password}"
c.Authenticator.allowed_users = {users!r}
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = "{tmp}/home/{{username}}"
c.Spawner.cmd = ["{singleuser}"]
c.Spawner.args = {args!r}
c.Spawner.ip = "127.0.0.1"
c.Spawner.start_timeout = {wait}
c.Spawner.http_timeout = {wait}
c.Spawner.environment = {environment!r}
"""

STUDENT_CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "{course}"
c.Exchange.root = "{exchange}"
c.CourseDirectory.student_id = "{student}"
"""

INSTRUCTOR_CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "{course}"
c.Exchange.root = "{exchange}"
c.ExchangeCollect.check_owner = False
"""


def _free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _wait(what, ready, timeout=WAIT):
    """Call ``ready()`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = ready()
        if value:
            return value
        time.sleep(0.25)
    raise TimeoutError(f"{what}: not done after {timeout} s")


def _marked(marker):
    """The processes whose environment carries REGLAB_HUB_TEST=marker."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("REGLAB_HUB_TEST") == marker:
                found.append(proc)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def _end(hub, marker):
    """End the hub (it stops the servers and the proxy), then whatever it left running."""
    if hub.poll() is None:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(timeout=WAIT / 4)
        except subprocess.TimeoutExpired:
            hub.kill()
            hub.wait(timeout=WAIT / 4)
    left = _marked(marker)
    for proc in left:
        proc.terminate()
    _, alive = psutil.wait_procs(left, timeout=10)
    for proc in alive:
        proc.kill()
    psutil.wait_procs(alive, timeout=10)


class User:
    """One hub user: logs in with the password, starts a server and talks to it."""

    def __init__(self, hub_url, name):
        self.name = name
        self.hub_url = hub_url
        self.session = requests.Session()
        response = self.session.post(
            f"{hub_url}/hub/api/users/{name}/tokens",
            json={"auth": {"username": name, "password": PASSWORD}, "note": "round trip",
                  "expires_in": 3600}, timeout=REQUEST)
        response.raise_for_status()
        self.session.headers["Authorization"] = f"token {response.json()['token']}"

    def start(self):
        response = self.session.post(f"{self.hub_url}/hub/api/users/{self.name}/server",
                                     timeout=REQUEST)
        assert response.status_code in (201, 202), response.text

    def wait_ready(self):
        def ready():
            user = self.session.get(f"{self.hub_url}/hub/api/users/{self.name}",
                                    timeout=REQUEST).json()
            return user.get("servers", {}).get("", {}).get("ready")
        _wait(f"{self.name}'s server", ready)
        # through the proxy: the server's own API answers
        status = self.get("api/status")
        assert "started" in status, status

    def url(self, path):
        return f"{self.hub_url}/user/{self.name}/{path}"

    def get(self, path, **params):
        response = self.session.get(self.url(path), params=params, timeout=REQUEST)
        response.raise_for_status()
        return response.json()

    def send(self, method, path, body=None):
        response = self.session.request(method, self.url(path), json=body, timeout=REQUEST)
        response.raise_for_status()
        return response.json()

    def formgrader(self, action):
        """POST /formgrader/api/ACTION: nbgrader's own report, which must say success."""
        result = self.send("POST", f"formgrader/api/{action}")
        assert result["success"], result
        return result

    def assignments(self, action):
        """POST /assignments/ACTION for the assignment: the assignment list afterwards."""
        result = self.send("POST", f"assignments/{action}",
                           {"course_id": COURSE, "assignment_id": ASSIGNMENT})
        assert result["success"], result
        return result["value"]


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """Run the round trip; give the course directory, each student's feedback HTML and answers."""
    if not PROXY.exists():
        pytest.fail(f"{PROXY} is missing: `make test-hub` installs it (npm)")
    tmp = tmp_path_factory.mktemp("hub")
    exchange = tmp / "exchange"
    exchange.mkdir()
    course = tmp / "home" / INSTRUCTOR
    autograde.make_course.write_course(course)
    (course / ".jupyter").mkdir()
    (course / ".jupyter" / "nbgrader_config.py").write_text(
        INSTRUCTOR_CONFIG.format(course=COURSE, exchange=exchange))
    for student in STUDENTS:
        (tmp / "home" / student / ".jupyter").mkdir(parents=True)
        (tmp / "home" / student / ".jupyter" / "nbgrader_config.py").write_text(
            STUDENT_CONFIG.format(course=COURSE, exchange=exchange, student=student))
    marker = secrets.token_hex(8)
    port, hub_port, proxy_api_port = _free_ports(3)
    threads = {k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    (tmp / "jupyterhub_config.py").write_text(HUB_CONFIG.format(
        port=port, hub_port=hub_port, proxy_api_port=proxy_api_port, tmp=tmp, proxy=PROXY,
        password=PASSWORD, users={INSTRUCTOR, *STUDENTS},
        singleuser=Path(sys.executable).parent / "jupyterhub-singleuser",
        args=["--allow-root"] if os.geteuid() == 0 else [], wait=WAIT,
        environment={"REGLAB_HUB_TEST": marker, **threads}))
    log = tmp / "jupyterhub.log"
    env = dict(os.environ, REGLAB_HUB_TEST=marker, **threads)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    hub_url = f"http://127.0.0.1:{port}"

    def step(text, start):
        print(f"  {time.perf_counter() - start:5.1f} s  {text}", flush=True)

    with open(log, "w") as out:
        hub = subprocess.Popen([str(Path(sys.executable).parent / "jupyterhub"), "-f",
                                str(tmp / "jupyterhub_config.py")], cwd=tmp, env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    print()
    try:
        t = time.perf_counter()
        version = _wait("the hub", lambda: _hub_up(hub, f"{hub_url}/hub/api/"))["version"]
        step(f"JupyterHub {version} up at {hub_url} (proxy: configurable-http-proxy)", t)

        t = time.perf_counter()
        users = {name: User(hub_url, name) for name in [INSTRUCTOR, *STUDENTS]}
        for user in users.values():
            user.start()
        for user in users.values():
            user.wait_ready()
        step(f"logged in with the password and started {len(users)} servers: "
             f"{', '.join(users)}", t)

        teacher = users[INSTRUCTOR]
        t = time.perf_counter()
        for student in STUDENTS:
            teacher.send("PUT", f"formgrader/api/student/{student}",
                         {"first_name": student.title(), "last_name": "Student", "email": None})
        listed = sorted(s["id"] for s in teacher.get("formgrader/api/students"))
        assert listed == sorted(STUDENTS), listed
        teacher.formgrader(f"assignment/{ASSIGNMENT}/assign")
        teacher.formgrader(f"assignment/{ASSIGNMENT}/release")
        assert (exchange / COURSE / "outbound" / ASSIGNMENT / NOTEBOOK).exists()
        step(f"instructor: students {', '.join(listed)} in the gradebook; "
             f"{ASSIGNMENT} generated and released", t)

        scratch = tmp / "scratch"
        answers = _answers(scratch)
        for student in STUDENTS:
            t = time.perf_counter()
            user = users[student]
            user.assignments("fetch")
            path = f"api/contents/{ASSIGNMENT}/{NOTEBOOK}"
            released = user.get(path, type="notebook", content=1)["content"]
            (scratch / "release" / ASSIGNMENT).mkdir(parents=True, exist_ok=True)
            (scratch / "release" / ASSIGNMENT / NOTEBOOK).write_text(json.dumps(released))
            autograde._submit(scratch, student, ASSIGNMENT, answers[student][0])
            answered = json.loads(
                (scratch / "submitted" / student / ASSIGNMENT / NOTEBOOK).read_text())
            user.send("PUT", path, {"type": "notebook", "format": "json", "content": answered})
            saved = user.get(path, type="notebook", content=1)["content"]
            assert [c["source"] for c in saved["cells"]] == \
                [c["source"] for c in answered["cells"]]
            listing = user.assignments("submit")
            submitted = [a for a in listing if a["status"] == "submitted"]
            assert submitted and submitted[0]["submissions"], listing
            step(f"{student}: fetched {ASSIGNMENT}, saved the answers, submitted", t)

        t = time.perf_counter()
        teacher.formgrader(f"assignment/{ASSIGNMENT}/collect")
        for student in STUDENTS:
            teacher.formgrader(f"submission/{ASSIGNMENT}/{student}/autograde")
        teacher.formgrader(f"assignment/{ASSIGNMENT}/generate_feedback")
        teacher.formgrader(f"assignment/{ASSIGNMENT}/release_feedback")
        graded = {s["student"]: f"{s['code_score']:g}/{s['max_code_score']:g}"
                  for s in teacher.get(f"formgrader/api/submissions/{ASSIGNMENT}")}
        step(f"instructor: collected, autograded {len(STUDENTS)} submissions (checks passed: "
             f"{', '.join(f'{k} {v}' for k, v in sorted(graded.items()))}), generated and "
             f"released the feedback", t)

        feedback = {}
        for student in STUDENTS:
            t = time.perf_counter()
            listing = users[student].assignments("fetch_feedback")
            paths = [s["local_feedback_path"] for a in listing if a["status"] == "submitted"
                     for s in a["submissions"] if s["local_feedback_path"]]
            assert len(paths) == 1, listing
            folder = users[student].get(f"api/contents/{paths[0]}")
            html_files = [f["path"] for f in folder["content"] if f["name"].endswith(".html")]
            assert len(html_files) == 1, folder
            feedback[student] = users[student].get(f"api/contents/{html_files[0]}",
                                                   type="file", format="text")["content"]
            step(f"{student}: fetched the feedback, {html_files[0]}", t)
        yield {"course": course, "feedback": feedback, "answers": answers}
    except BaseException:
        print(f"\nthe hub's log ({log}), last lines:\n" +
              "\n".join(log.read_text(errors="replace").splitlines()[-40:]))
        raise
    finally:
        t = time.perf_counter()
        _end(hub, marker)
        left = _marked(marker)
        shutil.rmtree(tmp, ignore_errors=True)
        step(f"hub, proxy and servers ended ({len(left)} processes left), {tmp} removed", t)
        assert not left, left


def _hub_up(hub, url):
    """The hub's version once its API answers; fail at once if the hub has exited."""
    if hub.poll() is not None:
        raise RuntimeError(f"the hub exited with status {hub.returncode}")
    try:
        response = requests.get(url, timeout=5)
    except requests.ConnectionError:
        return None
    return response.json() if response.ok else None


@pytest.mark.parametrize("student", STUDENTS)
def test_gradebook_has_each_task_and_the_total(round_trip, student):
    expected = round_trip["answers"][student][1]
    scores = autograde._scores(round_trip["course"], student, ASSIGNMENT)
    assert scores == expected
    with autograde.Gradebook(f"sqlite:///{round_trip['course']}/gradebook.db") as gb:
        submission = gb.find_submission(ASSIGNMENT, student)
        assert submission.code_score == sum(expected.values())
        assert submission.max_code_score == len(expected)


@pytest.mark.parametrize("student", STUDENTS)
def test_fetched_feedback_shows_the_checks_messages(round_trip, student):
    page = html.unescape(round_trip["feedback"][student])
    missing = [message for message in FEEDBACK[student] if message not in page]
    assert not missing, missing
