"""Imports every context's ORM models so that `metadata` describes the whole schema.

Only migrations and schema checks use this module; contexts import their own models.
"""

from __future__ import annotations

import battrace.audit.models
import battrace.diligence.models
import battrace.footprint.models
import battrace.identity.models
import battrace.passport.models
import battrace.reuse.models
import battrace.traceability.models  # noqa: F401 (registers the tables on the metadata)
from battrace.store import version  # noqa: F401 (the data_version table)
from battrace.store.base import ModelBase

metadata = ModelBase.metadata
