"""Exception hierarchy of equityplanner.

Every error a user can cause derives from :class:`InputError`, which names the file, the
feature or row, the fault and what to do, so that the CLI and the app can show one clear
message instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Cancelled", "EquityPlannerError", "InputError", "MethodError"]


class EquityPlannerError(Exception):
    """Root of every exception raised on purpose by equityplanner."""


@dataclass
class InputError(EquityPlannerError):
    """Bad input from the user: a file, a column, a feature or a value.

    Parameters
    ----------
    fault
        What is wrong, in plain language.
    path
        The file concerned, when there is one.
    location
        Where in the file: a feature, row, column or JSON path.
    remedy
        What the user can do about it.
    """

    fault: str
    path: str | Path | None = None
    location: str | None = None
    remedy: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line: ``file: location: fault. remedy``."""
        parts = []
        if self.path is not None:
            parts.append(str(self.path))
        if self.location:
            parts.append(self.location)
        text = ": ".join([*parts, self.fault.rstrip(".")]) + "."
        if self.remedy:
            text += " " + self.remedy.rstrip(".") + "."
        return text

    def __str__(self) -> str:
        return self.message


class MethodError(EquityPlannerError):
    """A method's preconditions do not hold (for example a catchment with nobody in it)."""


class Cancelled(EquityPlannerError):
    """The user cancelled a long-running step."""
