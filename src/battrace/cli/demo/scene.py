"""What every scenario step works with: the API client, the console it tells the story on,
and the companies' logins (filled by the first step, read by the others).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console

from battrace.cli.demo.client import ContractClient
from battrace.cli.demo.companies import Login


@dataclass
class Scene:
    api: ContractClient
    console: Console
    logins: dict[str, Login] = field(default_factory=dict)

    def say(self, who: str, text: str) -> None:
        """One line of the story, as `who` (blank for a follow-on line)."""
        self.console.print(f"  {who:<20} {text}", highlight=False)


@dataclass(frozen=True)
class Step:
    """One numbered step of the demo: its heading and what it does."""

    title: str
    play: Callable[[Scene], None]
