"""Stopping safely on SIGTERM (systemd, Docker, Kubernetes) or SIGINT (Ctrl-C).

While a sending round runs, the signal only raises a flag: the letter in flight is
finished and recorded, the letters claimed but not started go back to the queue, and
the command then exits. Without this, a stop would strand the whole claimed batch as
``uncertain``, every letter of it waiting for the owner's decision.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopFlag:
    """Called by the sender between letters: has a stop been asked for?"""

    def __init__(self) -> None:
        self.signal: int | None = None

    def __call__(self) -> bool:
        return self.signal is not None

    @property
    def exit_code(self) -> int:
        """The shell's convention for "ended by signal N": 128 + N."""
        return 128 + (self.signal or 0)


@contextmanager
def stop_on_signals() -> Iterator[StopFlag]:
    """Within the block, SIGTERM and SIGINT raise the flag instead of ending the process."""
    flag = StopFlag()

    def raise_flag(signum: int, _frame: FrameType | None) -> None:
        flag.signal = signum

    previous = {sig: signal.signal(sig, raise_flag) for sig in SIGNALS}
    try:
        yield flag
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
