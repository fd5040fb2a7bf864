"""The tables and what opens them: the models by subject, partial dates, the URL rule and the
engine, migrating and the schema gate."""
