"""Shared helpers of the letters tests: the world, the two mailboxes and a letter in any state."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core import signing
from django.test import Client

from tongban.core import clock as tclock
from tongban.identity import public
from tongban.identity.models import PublicAccount
from tongban.interaction import letters
from tongban.interaction.antispam import CHALLENGE_SALT
from tongban.interaction.models import Letter, Mailbox, MailboxKind
from tongban.interaction.testing import InteractionWorld

PHONE = "13912345678"


def mailboxes(w: InteractionWorld) -> tuple[Mailbox, Mailbox]:
    leader = Mailbox.objects.create(
        county=w.county, kind=MailboxKind.LEADER, name="县长信箱", leader_title="县长", sort=1
    )
    dept = Mailbox.objects.create(
        county=w.county, kind=MailboxKind.DEPARTMENT, name="市场监管局局长信箱", unit=w.units["scj"], sort=2
    )
    return leader, dept


def write(box: Mailbox, *, on: date | None = None, **kw: Any) -> Letter:
    args: dict[str, Any] = {
        "mailbox": box,
        "kind": "consult",
        "title": "餐饮店办证咨询",
        "content": "开一家小餐馆需要办理哪些证照？",
        "writer_name": "张三丰",
        "phone": PHONE,
        "email": "zs@example.com",
        "address": "青山县城关镇人民路 1 号",
        "may_publish": True,
    }
    args.update(kw)
    if on is None:
        return letters.letter_submit(**args)
    with tclock.moved_to(on):
        return letters.letter_submit(**args)


def answered(
    w: InteractionWorld, box: Mailbox, *, on: date, answer_on: date | None = None, **kw: Any
) -> Letter:
    """A letter routed to 市场监管局 and answered (draft approved by the office)."""
    letter = write(box, on=on, **kw)
    with tclock.moved_to(answer_on or on):
        letters.letter_route(letter=letter, actor=w.users["mailbox"], unit_id=w.units["scj"].pk)
        letters.reply_save(
            letter=letter,
            actor=w.users["scj_letters"],
            content="可到政务服务中心市场监管窗口办理。",
            submit=True,
        )
        letters.reply_review(letter=letter, actor=w.users["mailbox"], approve=True)
    letter.refresh_from_db()
    return letter


def solve(token: str) -> str:
    return str(signing.loads(token, salt=CHALLENGE_SALT)["a"])


def staff_client(w: InteractionWorld, key: str) -> Client:
    c = Client()
    if key != "anonymous":
        c.force_login(w.users[key])
    return c


def citizen_client(account: PublicAccount) -> Client:
    c = Client()
    session = c.session
    session[public.SESSION_KEY] = account.pk
    session[public.SESSION_HASH] = public._hash(account)
    session.save()
    c.cookies["sessionid"] = session.session_key  # type: ignore[assignment]
    return c


def snapshot(letter: Letter) -> tuple[Any, ...]:
    letter.refresh_from_db()
    return (
        letter.status,
        letter.routed_to_id,
        letter.reply_unit_id,
        letter.reply_content,
        letter.due_on,
        letter.is_published,
        letter.rating,
        letter.rehandle_count,
        letter.events.count(),
        letter.drafts.count(),
    )
