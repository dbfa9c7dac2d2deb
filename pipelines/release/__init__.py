"""County releases: disclosure control, exporters, HTML report, manifest, diff."""
