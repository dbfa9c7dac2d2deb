"""Every benchmark of the project, in one place (issue 15.5).

`workforce bench all`: the pipeline at several scales, stage by stage, against a floor.
`scales` names the data sizes, `measure` is the one measurement of time, CPU and peak memory
(a stage in a child process, or an operation in-process), `stages` is what each child runs (a
selection of the Dagster job's assets), `floor` is the DuckDB-only baseline on the same files,
`harness` strings them together, `report` and `chart` write
`benchmarks/results/<date>.{json,md,svg}`. See docs/scaling.md.

The focused benchmarks, each with its own command line (`python -m pipelines.bench.<name>`):
`ingest` (one national-size file, or a folder of deliveries), `incremental` (one extract on a
built national warehouse; also called by the harness), `load` (code-location load), `ssb_parse`
(JSON-stat2 parsing) and `fnr_scan` (the national-id scan).
"""
