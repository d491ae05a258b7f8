"""apmodel: Alternative Provision funding for English local authorities."""

__version__ = "0.1.0"
#: Version of the Forum workbook contract (table and column names) this package reads and writes.
CONTRACT_VERSION = "1"
