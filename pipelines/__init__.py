"""workforce-warehouse: staffing indicators for Nordland's municipalities.

Importing the package switches off the telemetry of every tool it drives, before any of
them can be imported: the users' data and environment are not ours to report. It also
tightens the umask (`pipelines.permissions`): every process of the project imports this
package, so nothing it writes is world-readable.
"""

import os

for _name, _value in {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DBT_VERSION_CHECK": "false",
    "GX_ANALYTICS_ENABLED": "false",
}.items():
    os.environ.setdefault(_name, _value)

from pipelines.permissions import tighten_umask  # noqa: E402  (after the telemetry switches)

tighten_umask()
