"""Independent datasets: the Correlates of War IGO import, and the record cross-checked against
COW and ATOP."""
