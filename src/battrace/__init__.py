"""battrace: battery supply-chain data linkage.

An Ouranos-compatible data platform (user authentication system and data distribution
system) with a real traceability management system behind it. See DESIGN.md in the shared
notes for the map of packages: contexts (`identity`, `traceability`, `footprint`, ...) hold the
rules, surfaces (`connector`, `web`, `cli`) speak to the outside, `store` holds the database.
"""

__version__ = "0.1.0"
