"""The battery passport (Regulation (EU) 2023/1542, Art. 77, Annex XIII): one passport per
battery, built from the platform's data, read by role, exchanged with other data spaces."""
