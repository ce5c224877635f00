"""Product families: one module per family turns a validated design into cells."""

# The families a design file may name in [design] family.
FAMILIES = ("wlcsp",)
