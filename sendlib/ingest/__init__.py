"""Readers of data/raw: DfE's release zips, the lookups, ONS estimates and a council's own
files, every cell to a value and a flag (the only layer that parses data/raw)."""
