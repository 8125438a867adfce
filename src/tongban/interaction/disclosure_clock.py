"""The clock of a request for government information: ONE function, :func:`compute`, derives every
date of a request from its :class:`~tongban.interaction.models.DisclosureEvent` rows and the
working-day calendar; :func:`refresh` writes the result into the request's cache columns
(``clock_start_on``, ``due_on``, ``supplement_due_on``, ``extended``, ``on_time``).

Rules (政府信息公开条例 2019; every count in working days through :mod:`tongban.core.calendar`, the
day of an event not counted, an event on a non-working day counted from the next working day):

- 收到申请之日 (第三十一条): in person — the day submitted; by mail — the day the organ signs for it
  (the officer enters it when registering the letter); online — this system confirms an online
  request the moment it is submitted (the applicant gets the 申请编号 at once: that is the mutual
  confirmation of 第三十一条第三项), so the day of submission; on a non-working day the count starts
  from the next working day. The received event's ``on`` is that day.
- 补正 (第三十条): the organ may ask for completion once, within 7 working days of receipt
  (``supplement_due_on``); the applicant has :data:`SUPPLEMENT_REPLY_WORKDAYS` (15, local rule)
  working days to answer; the answer period then runs from the day the completed request arrives
  (``clock_start_on`` = the supplemented event's day). No answer in time → the request is closed as
  其他处理 / 逾期不补正.
- 征求第三方意见 (第三十二条): the third party has 15 working days; the consultation is not counted
  in the answer period (第三十三条第三款): the working days in (start, end] are excluded.
- 答复期限 (第三十三条): 20 working days from ``clock_start_on``; extendable once by at most 20 with
  the officer's reason and a notice to the applicant.
- 收费 (国办函〔2020〕109号 第八条): from the fee notice to payment the clock stands still (the
  working days in (notice, paid] are excluded); unpaid within 20 working days → closed as
  其他处理 / 逾期未缴费.
- While the request awaits completion, consultation or payment, ``due_on`` is empty (the clock
  stands); ``on_time`` is set for answered requests: answered on or before ``due_on``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from tongban.core import clock
from tongban.core.calendar import add_workdays, workdays_between
from tongban.interaction.models import DisclosureEvent, DisclosureEventKind, DisclosureRequest, RequestStatus

ANSWER_WORKDAYS = 20  # 第三十三条第二款
EXTENSION_MAX_WORKDAYS = 20  # 第三十三条第二款
SUPPLEMENT_NOTICE_WORKDAYS = 7  # 第三十条
SUPPLEMENT_REPLY_WORKDAYS = 15  # local rule: the period given in the 补正 notice
CONSULT_WORKDAYS = 15  # 第三十二条
FEE_PAY_WORKDAYS = 20  # local rule: the period given in the fee notice (109号 第八条)

K = DisclosureEventKind


@dataclass
class Pause:
    kind: str  # "consult" | "fee"
    start: date
    end: date | None  # None: still paused
    limit_on: date  # the third party's / the applicant's last day
    days: int  # working days excluded from the answer period (so far, when open)


@dataclass
class ClockState:
    received_on: date
    supplement_due_on: date  # the organ's last day for a 补正 notice
    clock_start_on: date
    supplement_asked_on: date | None = None
    supplement_reply_due: date | None = None  # the applicant's last day to complete
    supplemented_on: date | None = None
    extension_days: int = 0
    limit_days: int = ANSWER_WORKDAYS
    pauses: list[Pause] = field(default_factory=list)
    paused_days: int = 0
    standing: str = ""  # "" running, "supplement", "consult", "fee", "stopped"
    due_on: date | None = None
    answered_on: date | None = None
    on_time: bool | None = None
    days_used: int = 0
    days_left: int | None = None

    @property
    def fee_pay_due(self) -> date | None:
        open_fee = [p for p in self.pauses if p.kind == "fee" and p.end is None]
        return open_fee[-1].limit_on if open_fee else None

    @property
    def consult_due(self) -> date | None:
        open_c = [p for p in self.pauses if p.kind == "consult" and p.end is None]
        return open_c[-1].limit_on if open_c else None


def compute(
    req: DisclosureRequest, events: Iterable[DisclosureEvent], today: date | None = None
) -> ClockState:
    """Every date of ``req`` from its events (in ``(at, id)`` order) and the calendar."""
    today = today or clock.today()
    received_on = req.received_on
    evs = sorted(events, key=lambda e: (e.at, e.pk or 0))
    for e in evs:
        if e.kind == K.RECEIVED:
            received_on = e.on
    st = ClockState(
        received_on=received_on,
        supplement_due_on=add_workdays(received_on, SUPPLEMENT_NOTICE_WORKDAYS),
        clock_start_on=received_on,
    )
    terminal: date | None = None
    answered = False
    for e in evs:
        if e.kind == K.SUPPLEMENT_ASKED:
            st.supplement_asked_on = e.on
            st.supplement_reply_due = add_workdays(e.on, int(e.data.get("period", SUPPLEMENT_REPLY_WORKDAYS)))
            st.standing = "supplement"
        elif e.kind == K.SUPPLEMENTED:
            st.supplemented_on = e.on
            st.clock_start_on = e.on  # 第三十条: the period runs from the completed request
            st.pauses = []  # pauses before the restart do not matter
            st.standing = ""
        elif e.kind == K.CONSULT_STARTED:
            st.pauses.append(Pause("consult", e.on, None, add_workdays(e.on, CONSULT_WORKDAYS), 0))
            st.standing = "consult"
        elif e.kind == K.FEE_NOTICE:
            st.pauses.append(Pause("fee", e.on, None, add_workdays(e.on, FEE_PAY_WORKDAYS), 0))
            st.standing = "fee"
        elif e.kind in (K.CONSULT_ENDED, K.FEE_PAID):
            want = "consult" if e.kind == K.CONSULT_ENDED else "fee"
            for p in reversed(st.pauses):
                if p.kind == want and p.end is None:
                    p.end = e.on
                    break
            st.standing = "consult" if any(p.end is None for p in st.pauses) else ""
        elif e.kind == K.EXTENDED:
            st.extension_days = int(e.data.get("days", 0))
        elif e.kind == K.ANSWERED:
            terminal, answered = e.on, True
        elif e.kind in (K.SUPPLEMENT_LAPSED, K.FEE_LAPSED, K.WITHDRAWN):
            terminal = e.on
    st.limit_days = ANSWER_WORKDAYS + st.extension_days
    upto = terminal or today
    for p in st.pauses:
        end = p.end or max(upto, p.start)
        p.days = max(0, workdays_between(p.start, end))
    st.paused_days = sum(p.days for p in st.pauses)
    if terminal is not None:
        st.answered_on = terminal
        # close the open pauses at the terminal day for the record
        st.standing = "stopped"
    if st.standing in ("", "stopped") and not (st.supplement_asked_on and not st.supplemented_on):
        st.due_on = add_workdays(st.clock_start_on, st.limit_days + st.paused_days)
    if st.supplement_asked_on and not st.supplemented_on:
        st.due_on = None
    if any(p.end is None for p in st.pauses) and terminal is None:
        st.due_on = None
    st.days_used = (
        max(0, workdays_between(st.clock_start_on, upto) - st.paused_days) if upto >= st.clock_start_on else 0
    )
    st.days_left = st.limit_days - st.days_used
    if answered and st.due_on is not None:
        st.on_time = terminal is not None and terminal <= st.due_on
    return st


def refresh(req: DisclosureRequest, events: Iterable[DisclosureEvent] | None = None) -> ClockState:
    """Recompute ``req``'s clock from its events and save the cache columns."""
    if events is None:
        events = list(req.events.all()) if req.pk else []
    st = compute(req, events)
    req.received_on = st.received_on
    req.clock_start_on = st.clock_start_on
    req.supplement_due_on = st.supplement_due_on
    req.due_on = st.due_on
    req.extended = st.extension_days > 0
    req.on_time = st.on_time if req.status == RequestStatus.ANSWERED else None
    if req.pk:
        DisclosureRequest.objects.filter(pk=req.pk).update(
            received_on=req.received_on,
            clock_start_on=req.clock_start_on,
            supplement_due_on=req.supplement_due_on,
            due_on=req.due_on,
            extended=req.extended,
            on_time=req.on_time,
        )
    return st
