"""Readers shared by every surface: the contract's body binding and rules, the field parsers."""
