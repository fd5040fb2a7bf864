"""The record's releases: their versions, what a database says of its build, the comparison of
two builds and the record's changelog."""
