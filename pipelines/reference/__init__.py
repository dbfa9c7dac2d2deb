"""Reference lists shipped with the package (municipality codes from KLASS 131).

`municipalities.csv` leaves `valid_from` empty for codes already in force in the oldest
KLASS list we ship; such a code existed before that date, we just don't know since when.
"""

import datetime as dt

# The validity date of the oldest KLASS 131 list bundled (version 1102, 1 January 2019).
EARLIEST_KLASS_LIST = dt.date(2019, 1, 1)
