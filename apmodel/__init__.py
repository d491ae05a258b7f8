"""apmodel: Alternative Provision funding for English local authorities."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apmodel.api import open as open

__version__ = "0.1.0"
#: Version of the Forum workbook contract (table and column names) this package reads and writes.
CONTRACT_VERSION = "1"


def __getattr__(name: str) -> Any:
    """``apmodel.open`` loads the pandas API on first use only (the CLI and the ribbon never need it)."""
    if name == "open":
        from apmodel.api import open as open_workbook

        return open_workbook
    raise AttributeError(f"module 'apmodel' has no attribute {name!r}")
