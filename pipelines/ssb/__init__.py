"""SSB PxWebApi 2 and KLASS: client, JSON-stat2 parser, catalogue, cache.

The only package in the project allowed to open network connections.

    transport.py   one requests.Session: timeouts, pacing (ratelimit.py), retries, clear errors
    client.py      PxWebApi 2: /config, metadata, data (split by cells, POST for long URLs)
    query.py       selections, v2 expressions, resolution against metadata, splitting
    jsonstat.py    JSON-stat2 → tidy polars (vectorised), status symbols, notes, `updated`
    csvexport.py   SSB-style CSV exports (K-codes, symbols, stacked headers)
    klass.py       KLASS 131: codes, changes, split weights, historical → today's codes
    catalogue.py   catalogue.toml: the tables we pull and why
    cache.py       every response on disk with its query and fetch time
    load.py        modes live | auto | snapshot, raw.* and audit.ssb_fetches in DuckDB
    snapshot/      the bundled offline snapshot (demo figures, real KLASS samples)
"""
