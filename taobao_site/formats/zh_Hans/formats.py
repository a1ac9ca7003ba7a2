"""Chinese statistics print large numbers with a comma every three digits (1,200,000), as the NBS does."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
