"""csto-db: a cited relational database of the history of the Collective Security Treaty Organization."""

__version__ = "0.1.0"
