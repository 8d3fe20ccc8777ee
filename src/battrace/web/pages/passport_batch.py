"""Issuing passports for a production batch from the web, with progress.

The batch is written in one transaction in a thread of its own, which reports after every
chunk (`issuing.create_batch(progress=…)`). A batch that is done (or refused) within
`PROGRESS_AFTER_SECONDS` answers as any form does: a redirect to its passports, or the
refusal. A longer one answers with a page streamed as the batch goes: each chunk adds a
progress line, and the end adds the outcome (the link to the batch and its labels, or the
refusal, with nothing stored). One request from start to end, so no worker has to know about
another's jobs, and no script is needed.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from starlette.responses import Response, StreamingResponse

from battrace import errors
from battrace.passport import issuing
from battrace.web import i18n
from battrace.web.app import Ctx, page, render_fragment

log = logging.getLogger("battrace.web")
PROGRESS_AFTER_SECONDS = 1.0
PROGRESS_MARK = "<!--batch-progress-->"


@dataclass(frozen=True)
class Step:
    """What the batch's thread reports: progress, the issued batch, or the refusal."""

    done: int = 0
    total: int = 0
    issued: issuing.IssuedBatch | None = None
    refusal: Exception | None = None

    @property
    def final(self) -> bool:
        return self.issued is not None or self.refusal is not None


class BatchRun:
    """One batch being issued in its own thread; its steps come out of a queue."""

    def __init__(self, ctx: Ctx, model_id: uuid.UUID, serials: list[str]) -> None:
        self.total = len(serials)
        self.steps: queue.Queue[Step] = queue.Queue()
        self.seen: list[Step] = []
        account = ctx.session.account_id
        caller = ctx.operator_id
        label, publish = ctx.value("label"), ctx.value("publish") == "on"

        def report(done: int, total: int) -> None:
            self.steps.put(Step(done=done, total=total))

        def work() -> None:
            try:
                issued = ctx.state.write(
                    lambda s: issuing.create_batch(
                        s,
                        caller=caller,
                        account=account,
                        model_id=model_id,
                        batteries=[issuing.NewBattery(serial=serial) for serial in serials],
                        label=label,
                        publish=publish,
                        progress=report,
                    )
                )
            except Exception as refused:  # handed to the request, which answers it
                if not isinstance(refused, errors.BattraceError):
                    log.exception("issuing a passport batch failed")
                self.steps.put(Step(refusal=refused))
            else:
                self.steps.put(Step(issued=issued))

        self.thread = threading.Thread(target=work, name="passport-batch", daemon=True)
        self.thread.start()

    def wait(self, seconds: float) -> Step | None:
        """The final step if the batch ends within `seconds`, else None (progress seen
        meanwhile is kept for the stream); 0 seconds: stream at once."""
        if seconds <= 0:
            return None
        try:
            while True:
                step = self.steps.get(timeout=seconds)
                if step.final:
                    return step
                self.seen.append(step)
        except queue.Empty:
            return None

    def rest(self) -> Iterator[Step]:
        yield from self.seen
        while True:
            step = self.steps.get()
            yield step
            if step.final:
                return


@page("/passports/models/{model_id:uuid}/batch", methods=("POST",))
def model_batch(ctx: Ctx) -> Response:
    model_id: uuid.UUID = ctx.request.path_params["model_id"]
    serials = [line.strip() for line in ctx.value("serials").splitlines() if line.strip()]
    run = BatchRun(ctx, model_id, serials)
    ended = run.wait(PROGRESS_AFTER_SECONDS)
    if ended is not None:
        if ended.refusal is not None:
            raise ended.refusal  # answered as any page's refusal (or failure)
        assert ended.issued is not None  # noqa: S101 (final: issued or refused)
        message = ctx.t("passport.issued", count=len(ended.issued.passport_ids))
        return ctx.redirect(f"/passports?batch={ended.issued.batch.id}", flash="=" + message)
    return _streamed(ctx, run)


def _streamed(ctx: Ctx, run: BatchRun) -> Response:
    shell = ctx.render("passport_batch.html", total=run.total, mark=PROGRESS_MARK)
    head, tail = bytes(shell.body).decode().split(PROGRESS_MARK, 1)

    def parts() -> Iterator[str]:
        yield head
        for step in run.rest():
            refusal = (
                None
                if step.refusal is None
                else i18n.message(ctx.lang, step.refusal.message)
                if isinstance(step.refusal, errors.BattraceError)
                else ctx.t("error.unavailable")
            )
            yield render_fragment("passport_batch_step.html", t=ctx.t, step=step, refusal=refusal)
        yield tail

    response = StreamingResponse(parts(), media_type="text/html; charset=utf-8")
    for name, value in shell.headers.items():
        if name.lower() not in ("content-length", "content-type"):
            response.headers.append(name, value)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # a reverse proxy passes each part on
    return response


__all__ = ["PROGRESS_AFTER_SECONDS", "model_batch"]
