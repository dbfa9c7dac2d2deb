"""Reference lists shipped with the package (municipality codes from KLASS 131)."""
