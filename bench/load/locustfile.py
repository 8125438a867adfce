"""A county's working morning as a locust scenario (docs/deploy.md, "Load test"; bench/load/run.sh).

Staff (4 of 5 simulated users), each with an account of their own (bench/load/prepare.py gives the
generated staff of the demo county a password; electronic keys are not required by the demo
security policy, so the ordinary password login is used):
  log in (argon2) → workbench → 待办 inbox → open a pending item and its document → handle it on
  the document's own step form (the real workflow: opinion, next handler) → 待阅 → notices →
  documents list and a document → search; drafters also draft a new document and send it on.
Citizens (1 of 5): portal home → a column → an article → site search; now and then write a letter
to the leader mailbox (answering the form's arithmetic challenge) or log in to the service hall
and start an online application with its materials (small PDFs).

Every response ≥ 400 is a failure, and so is a handled form that comes back with an error
message (``alert-danger``): the target is zero failures. Citizens come from distinct addresses
(X-Forwarded-For, as nginx would pass it; the server runs with TONGBAN_PROXY_COUNT=1) so the
mailbox's per-address rate limit sees different people.

Run: bench/load/run.sh (prepares the database, starts gunicorn, runs locust headless, checks
the invariants). Accounts come from bench/load/accounts.json written by prepare.py."""

from __future__ import annotations

import itertools
import json
import random
import re
import sys
import threading
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
import forms

ACCOUNTS = json.loads((Path(__file__).resolve().parent / "accounts.json").read_text())
_lock = threading.Lock()
_staff = itertools.cycle(random.Random(7).sample(ACCOUNTS["staff"], len(ACCOUNTS["staff"])))
_public = itertools.cycle(ACCOUNTS["public"])

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
SEARCH_WORDS = ["通知", "预算", "安全生产", "乡村振兴", "教育", "医疗", "防汛", "营商环境"]
ERROR_RE = re.compile(
    r'class="[^"]*(?:alert-danger|invalid-feedback d-block|errorlist)[^"]*"[^>]*>\s*(?:<[^>]+>\s*)*([^<]{0,120})'
)
ITEM_RE = re.compile(r'href="(/workflow/items/\d+/)"')
DOC_RE = re.compile(r'href="(/documents/\d+/)"')
NOTICE_RE = re.compile(r'href="(/notices/\d+/)"')
CHALLENGE_RE = re.compile(r"(\d+)\s*\+\s*(\d+)\s*=\s*\?")


def _next(it: Any) -> str:
    with _lock:
        return str(next(it))


def _error(html: str) -> str:
    m = ERROR_RE.search(html)
    return m.group(1).strip() if m else ""


class Staff(HttpUser):
    weight = 4
    wait_time = between(4, 12)

    def on_start(self) -> None:
        self.username, password = _next(_staff), ACCOUNTS["password"]
        page = self.client.get("/account/login/", name="login page")
        form = next((f for f in forms.forms(page.text) if any(k == "password" for k, _ in f.fields)), None)
        if form is None:
            return
        with self.client.post(
            "/account/login/",
            data=form.data(username=self.username, password=password, next="/"),
            headers={"Referer": self.host + "/account/login/"},
            name="login (POST)",
            catch_response=True,
        ) as r:
            if "/account/login/" in r.url:
                r.failure(f"login refused for {self.username}: {_error(r.text)}")

    @task(2)
    def workbench(self) -> None:
        self.client.get("/", name="workbench")

    @task(4)
    def handle_todo(self) -> None:
        todo = self.client.get("/workflow/inbox/todo/", name="inbox 待办")
        items = ITEM_RE.findall(todo.text)
        if not items:
            return
        item = self.client.get(items[0], name="work item")
        docs = DOC_RE.findall(item.text)
        if not docs:
            return
        doc = self.client.get(docs[0], name="document")
        self._submit_step(doc.text)

    def _submit_step(self, html: str) -> None:
        step = forms.find(html, action=r"/documents/\d+/step/\d+/")
        if step is None:
            return
        over: dict[str, str | list[str]] = {"opinion": "同意。"}
        for name, options in step.options.items():
            values = [o for o in options if o]
            if name in ("next_assignees", "series") and values:
                over[name] = values[:1] if name == "next_assignees" else values[0]
        if any(k == "copies" for k, _ in step.fields):
            over["copies"] = "10"
        with self.client.post(
            step.action,
            data=step.data(**over),
            headers={"Referer": self.host + "/"},
            name="document step (POST)",
            catch_response=True,
        ) as r:
            err = _error(r.text)
            if err:
                r.failure(f"step refused: {err}")

    @task(2)
    def read_toread(self) -> None:
        page = self.client.get("/workflow/inbox/toread/", name="inbox 待阅")
        items = ITEM_RE.findall(page.text)
        if items:
            self.client.get(items[0], name="work item")

    @task(2)
    def notices(self) -> None:
        page = self.client.get("/notices/", name="notices")
        found = NOTICE_RE.findall(page.text)
        if found:
            self.client.get(random.choice(found), name="notice")

    @task(2)
    def documents(self) -> None:
        page = self.client.get("/documents/", name="documents list")
        found = DOC_RE.findall(page.text)
        if found:
            self.client.get(random.choice(found), name="document")

    @task(1)
    def search(self) -> None:
        self.client.get("/search/", params={"q": random.choice(SEARCH_WORDS)}, name="search")


class Drafter(Staff):
    """The offices' clerks: they also draft documents and send them on (拟稿 → 核稿 …) to their
    unit's heads, who are simulated staff too and handle them from their 待办."""

    weight = 1

    @task(2)
    def draft(self) -> None:
        page = self.client.get("/documents/new/", name="new document")
        form = forms.find(page.text, form_id="doc-form")
        if form is None:
            return
        units = [o for o in form.options.get("main_units", []) if o][:1]
        with self.client.post(
            "/documents/new/",
            data=form.data(
                title=f"关于做好冬季安全生产工作的通知（{random.randint(1, 10**6)}）",
                body_html="<p>各单位：</p><p>请切实做好冬季安全生产工作，确保人民群众生命财产安全。</p>",
                main_units=units,
            ),
            headers={"Referer": self.host + "/documents/new/"},
            name="new document (POST)",
            catch_response=True,
        ) as r:
            if "/documents/new/" in r.url:
                r.failure(f"draft refused: {_error(r.text)}")
                return
        self._submit_step(r.text)


class Citizen(HttpUser):
    weight = 1
    wait_time = between(3, 10)

    def on_start(self) -> None:
        ip = f"10.{random.randint(1, 250)}.{random.randint(1, 250)}.{random.randint(1, 250)}"
        self.client.headers["X-Forwarded-For"] = ip
        home = self.client.get("/portal/", name="portal home")
        links = set(re.findall(r'href="(/portal/[^"?#]+)"', home.text))
        self.columns = sorted(p for p in links if p.count("/") == 4) or ["/portal/"]
        self.articles = sorted(p for p in links if p.count("/") >= 5) or ["/portal/"]

    @task(4)
    def home(self) -> None:
        self.client.get("/portal/", name="portal home")

    @task(3)
    def column(self) -> None:
        self.client.get(random.choice(self.columns), name="portal column")

    @task(5)
    def article(self) -> None:
        self.client.get(random.choice(self.articles), name="portal article")

    @task(2)
    def search(self) -> None:
        self.client.get("/portal/search/", params={"q": random.choice(SEARCH_WORDS)}, name="portal search")

    @task(1)
    def letter(self) -> None:
        page = self.client.get("/portal/letters/write/", name="letter form")
        form = next((f for f in forms.forms(page.text) if "mailbox" in f.options), None)
        m = CHALLENGE_RE.search(page.text)
        if form is None or m is None:
            return
        data = form.data(
            title="关于小区门口路灯不亮的反映",
            content="县领导您好：城关镇人民路 18 号小区门口的路灯已经坏了两周，夜间出行不便，请帮忙协调维修。",
            writer_name="李群众",
            phone=f"139{random.randint(10**7, 10**8 - 1)}",
            challenge=str(int(m.group(1)) + int(m.group(2))),
        )
        with self.client.post(
            "/portal/letters/write/",
            data=data,
            headers={"Referer": self.host + "/portal/letters/write/"},
            name="letter (POST)",
            catch_response=True,
        ) as r:
            if "/written/" not in r.url:
                r.failure(f"letter refused: {_error(r.text)}")

    @task(1)
    def apply(self) -> None:
        login = self.client.get("/ban/login/", name="service hall login page")
        form = next((f for f in forms.forms(login.text) if any(k == "login" for k, _ in f.fields)), None)
        if form is None:
            return
        who = _next(_public)
        with self.client.post(
            "/ban/login/",
            data=form.data(login=who, password=ACCOUNTS["password"]),
            headers={"Referer": self.host + "/ban/login/"},
            name="service hall login (POST)",
            catch_response=True,
        ) as r:
            if "/ban/login/" in r.url:
                r.failure(f"public login refused for {who}: {_error(r.text)}")
                return
        hall = self.client.get("/ban/", name="service hall")
        codes = sorted(set(re.findall(r'href="/ban/items/([^/"]+)/"', hall.text)))
        if not codes:
            return
        code = random.choice(codes)
        self.client.get(f"/ban/items/{code}/", name="service guide")
        page = self.client.get(f"/ban/apply/{code}/", name="application form")
        form = next(
            (f for f in forms.forms(page.text) if f.attrs.get("enctype") == "multipart/form-data"), None
        )
        if form is None:
            self.client.post(
                "/ban/logout/", data=[("csrfmiddlewaretoken", self._csrf())], name="service hall logout"
            )
            return
        texts: dict[str, str | list[str]] = {
            k: (v if v.strip() else "负载测试") for k, v in form.fields if k != "csrfmiddlewaretoken"
        }
        for name, options in form.options.items():
            choices = [o for o in options if o]
            if choices:
                texts[name] = choices[0]
        file_fields = sorted(set(re.findall(r'type="file"[^>]*name="([^"]+)"', page.text)))
        files = [(name, ("材料.pdf", PDF, "application/pdf")) for name in file_fields]
        with self.client.post(
            f"/ban/apply/{code}/",
            data=form.data(**texts),
            files=files,
            headers={"Referer": f"{self.host}/ban/apply/{code}/"},
            name="application (POST)",
            catch_response=True,
        ) as r:
            if "/submitted/" not in r.url and "/my/" not in r.url:
                r.failure(f"application refused ({code}): {_error(r.text)}")
        self.client.post(
            "/ban/logout/", data=[("csrfmiddlewaretoken", self._csrf())], name="service hall logout"
        )

    def _csrf(self) -> str:
        return str(self.client.cookies.get("csrftoken", ""))
