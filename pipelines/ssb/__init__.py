"""SSB PxWebApi 2 and KLASS: client, JSON-stat2 parser, catalogue, cache.

The only module in the project allowed to open network connections.
"""
