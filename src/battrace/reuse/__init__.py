"""Second life: used-battery diagnostics, state of health, grading, remaining life, residual
value, and the market that hands a graded battery to its next use.

The calculations (`diagnostics`, `health`, `grading`, `life`, `valuation`, `fleet`) are pure
functions over plain values; the services (`intakes`, `assessments`, `rules`, `market`,
`monitoring`) store and scope them per operator. A battery is a passport's battery: everything
here refers to it by passport id, and every call into the passport context goes through
`passport_link`.
"""
