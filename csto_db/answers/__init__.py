"""The questions the record answers: the as-of rule, and one module per family of questions,
each answer with its certainty and citations."""
