"""Identity: operators, plants, accounts and passwords, API keys, tokens, secrets."""
