"""Recycling and the loop: collection and chain of custody of used batteries (and any other
product), recycler period reports with the recycling efficiency and material recovery rates of
Delegated Regulation (EU) 2025/606 against Annex XII of Regulation (EU) 2023/1542, recycled
content carried up the supply chain under a mass-balance rule and compared with Art. 8, a
market for recovered material, and the loop's impact figures.

Pure rules live in `rules`, `balance` and `content`; services (taking a session and the
caller) in `custody`, `reports`, `materials`, `market`, `impact` and `dashboard`. Nothing here
imports a surface.
"""

# The companion of the CFP settlement that keeps stored recycled-content totals, registered
# wherever this package is used (`content_totals`).
from battrace.recycling import content_totals  # noqa: F401
