"""Exchange of passports with other data spaces: Battery Pass 1.2 (seven aspects) and the
Catena-X battery pass 6.1.0 (one document), exported from and imported into battrace's
passport document."""
