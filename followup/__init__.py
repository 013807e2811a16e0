"""The year after the assembly: the working group, the networks' reports, progress and lessons."""
