"""The year after the assembly: the working group, the networks' progress reports against the
adopted agenda, the progress board, and next year's assembly started from the evidence."""
