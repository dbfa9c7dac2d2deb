"""`workforce bench all`: the pipeline at several scales, stage by stage, against a floor.

`scales` names the data sizes, `measure` runs one stage in a child process and takes its
wall time and peak memory, `stages` is what each child runs, `floor` is the DuckDB-only
baseline on the same files, `harness` strings them together, `report` and `chart` write
`benchmarks/results/<date>.{json,md,svg}`. See docs/scaling.md.
"""
