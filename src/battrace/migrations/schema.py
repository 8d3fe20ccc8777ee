"""The schema registry: imports every package's ORM models so that `metadata` describes the
whole schema. Alembic (`env.py`) and the schema checks use it; packages import their own models.

A new package with tables adds ONE import line here, e.g. ``import battrace.passport.models``
(keep the list sorted); nothing else in battrace imports this module.
"""

from __future__ import annotations

import battrace.audit.models
import battrace.diligence.models
import battrace.footprint.models
import battrace.identity.models
import battrace.traceability.models  # noqa: F401 (registers the tables on the metadata)
from battrace.store import version  # noqa: F401 (the data_version table)
from battrace.store.base import ModelBase

metadata = ModelBase.metadata
