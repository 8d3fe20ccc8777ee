"""Storage: engine and session factory, ORM base and column types, the data version.

`store` imports nothing else from battrace. Every context's ORM models derive from
`ModelBase`; the migrations in `battrace/migrations` build the same schema on SQLite and
PostgreSQL.
"""

from battrace.store.base import ModelBase, utcnow
from battrace.store.engine import Database, after_commit, make_engine

__all__ = ["Database", "ModelBase", "after_commit", "make_engine", "utcnow"]
