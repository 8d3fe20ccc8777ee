"""`battrace demo`: a small but realistic battery supply chain, driven through the real HTTP API.

Eight fictional companies (a car maker, a pack maker, a cell maker and their cathode, anode,
electrolyte, separator and lithium suppliers) set up their parts, ask each other for CFP and
due-diligence answers and answer them, all through the contract API of a battrace server,
exactly as the companies' own systems would call it; passports, a second life and the closed
loop follow (with a recycler and a magnet maker, `data.LOOP_COMPANIES`); then the car maker
reads the roll-up.

The package, one idea a module:
- `data`: the companies, products, bills of materials and CFP figures;
- `client`, `bodies`: a typed HTTP client of the contract API and its request bodies (the
  tests drive the API with them too);
- `companies`: the companies in the database and their logins; `server`: where calls go;
- `scene`: what a step works with; `cfp`, `dd`, `passport`, `reuse`, `loop`: the scenarios,
  as numbered steps;
- `report`: what the demo found; `run`: the order of it all (`SCENARIO`).

The server is started in-process on a free loopback port unless `base_url` names a running
server (which must use the same database). The demo is idempotent in effect: once its
companies exist, it only reads and prints the results. Demo logins use one public password
(`DEMO_PASSWORD`) and the fixed API key `DEMO_API_KEY`, like the reference tutorial's
fixtures; the key is bound to the demo companies only.
"""

from battrace.cli.demo.data import COMPANIES, DEMO_API_KEY, DEMO_PASSWORD
from battrace.cli.demo.report import DemoResult, ProductTotal
from battrace.cli.demo.run import run_demo

__all__ = ["COMPANIES", "DEMO_API_KEY", "DEMO_PASSWORD", "DemoResult", "ProductTotal", "run_demo"]
