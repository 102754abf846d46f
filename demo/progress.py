"""Telling a person what the demo build is doing. On a first `make run` it takes a couple of
minutes; printing nothing meanwhile looks like a hang."""

import time
from collections.abc import Callable


class DemoProgress:
    """Announces each step as it starts (numbered, with how many things it makes), reports long
    steps every few seconds ("40/88, 45%"), and closes each step with what it made and how
    long it took."""

    def __init__(
        self,
        write: Callable[[str], None],
        *,
        steps: int,
        every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.write = write
        self.steps = steps
        self.every = every
        self.clock = clock
        self.number = 0
        self.total: int | None = None
        self.started = self.last_report = clock()

    def step(self, title: str, total: int | None = None) -> None:
        self.number += 1
        self.total = total
        self.started = self.last_report = self.clock()
        self.write(f"[{self.number}/{self.steps}] {title}…")

    def advance(self, done: int) -> None:
        """`done` of the step's total are made; say so when a few seconds have passed."""
        now = self.clock()
        if self.total and done < self.total and now - self.last_report >= self.every:
            self.last_report = now
            self.write(f"      {done}/{self.total} ({100 * done // self.total}%)")

    def done(self, summary: str) -> None:
        self.write(f"      {summary} ({self.clock() - self.started:.0f} s)")


class Silent(DemoProgress):
    def __init__(self):
        super().__init__(lambda _message: None, steps=0)
