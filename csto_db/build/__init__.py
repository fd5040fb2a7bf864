"""Building a database from the seeds: reading and validating them, syncing them in one
transaction, the lock and kill-safety of ``init``, the digests of a build, and ``check``."""
