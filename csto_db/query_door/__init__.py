"""The query door: one SQL statement, run only where the database itself keeps it from
writing, bounded in time, rows and memory, and stopped by Ctrl-C; and a role that only reads."""
