"""csto-db: a cited database of the Collective Security Treaty Organization's history."""

__version__ = "0.1.0"
