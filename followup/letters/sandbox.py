"""The sandbox owners' edited templates run in (DESIGN §4): Jinja2's immutable sandbox,
which also refuses arithmetic large enough to eat the memory of the process."""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError


class LetterSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, also refusing arithmetic that would eat the memory of the process."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        sized = (str, list, tuple)
        too_big = (operator == "**" and isinstance(right, int) and abs(right) > 100) or (
            operator == "*"
            and (
                (isinstance(left, sized) and isinstance(right, int) and right > 1_000)
                or (isinstance(right, sized) and isinstance(left, int) and left > 1_000)
            )
        )
        if too_big:
            raise SecurityError(f"the {operator} operation is too large for a letter")
        return super().call_binop(context, operator, left, right)
