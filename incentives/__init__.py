"""The incentive engine: pure Python, Decimal money, no web or database imports.

`simulate(document, as_of)` runs the simulation contract of docs/incentives.md;
`Engine` posts events one at a time against a `State` (in memory, or the product's
SQL ledger) so every caller shares the same rules.
"""

from incentives.engine import Engine
from incentives.errors import InputError
from incentives.fx import FxTable
from incentives.ledger import Entry, Posting, Purchase, State, Volume
from incentives.memory import MemoryState
from incentives.simulate import simulate

__all__ = [
    "Engine",
    "Entry",
    "FxTable",
    "InputError",
    "MemoryState",
    "Posting",
    "Purchase",
    "State",
    "Volume",
    "simulate",
]
