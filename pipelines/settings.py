"""One settings object, read from the environment.

Every path the pipeline writes hangs off `WORKFORCE_HOME`, so a test, a demo and a
production run are separated by one variable, and nothing generated lands in the repo.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.errors import SettingsError

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DAGSTER_YAML = REPO_ROOT / "dagster.yaml"
# Without WORKFORCE_HOME everything goes here, wherever the command is started from: a
# default relative to the working directory would give `cd dbt && workforce sql` another,
# empty warehouse.
DEFAULT_HOME = REPO_ROOT / "warehouse"
DEMO_SECRET_NAME = "demo.secret"

_demo_secret_announced: set[Path] = set()

SSB_MODES = ("live", "snapshot", "auto")
DEFAULT_SSB_BASE_URL = "https://data.ssb.no/api/pxwebapi/v2/"
DEFAULT_KLASS_BASE_URL = "https://data.ssb.no/api/klass/v1/"
# A secret below either is warned about (not refused: an existing warehouse must stay usable).
MIN_SECRET_BITS = 64  # estimated entropy: length x Shannon entropy of its characters
MIN_SECRET_DISTINCT = 8  # distinct characters
log = logging.getLogger(__name__)
_warned: set[str] = set()


def secret_strength(value: bytes) -> tuple[float, int, int]:
    """(estimated bits, distinct characters, character classes) of a secret.

    The estimate is the length times the Shannon entropy of the secret's own characters: a
    crude upper bound for a human-chosen secret, but it catches what matters here (sixteen
    `a`s: 0 bits; a repeated short pattern; a short word), and a random hex key of 64
    characters (the demo's) scores about 250."""
    text = value.decode("utf-8", errors="replace")
    counts = Counter(text)
    n = len(text)
    per_char = -sum(c / n * math.log2(c / n) for c in counts.values()) if n else 0.0
    classes = sum(
        any(test(ch) for ch in text)
        for test in (str.islower, str.isupper, str.isdigit, lambda ch: not ch.isalnum())
    )
    return max(per_char * n, 0.0), len(counts), classes


def secret_warnings(value: bytes, path: Path | None) -> list[str]:
    """Norwegian warnings about a weak secret or a secret file others can read."""
    found = []
    if path is not None:
        mode = path.stat().st_mode & 0o777
        if mode & 0o007:
            found.append(
                f"advarsel: nøkkelfilen {path} kan leses av alle (modus {mode:04o}); "
                f"gjør den privat med `chmod 600 {path}`."
            )
    bits, distinct, classes = secret_strength(value)
    if bits < MIN_SECRET_BITS or distinct < MIN_SECRET_DISTINCT:
        found.append(
            f"advarsel: pseudonymiseringsnøkkelen er svak (anslått {bits:.0f} bit, {distinct} ulike tegn, "
            f"{classes} tegnklasser); lag en tilfeldig, f.eks. med "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    return found


@dataclass(frozen=True)
class Settings:
    """Where things live and how the pipeline behaves; build it with `Settings.from_env()`."""

    home: Path
    secret_env: str | None = field(default=None, repr=False)
    secret_file: Path | None = None
    ssb_mode: str = "auto"
    ssb_base_url: str = DEFAULT_SSB_BASE_URL
    klass_base_url: str = DEFAULT_KLASS_BASE_URL

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        home = Path(env.get("WORKFORCE_HOME") or DEFAULT_HOME).expanduser().resolve()
        mode = (env.get("WORKFORCE_SSB_MODE") or "auto").strip().lower()
        if mode not in SSB_MODES:
            raise SettingsError(
                f"WORKFORCE_SSB_MODE={mode!r} er ingen modus; bruk en av {', '.join(SSB_MODES)}."
            )
        secret_file = env.get("WORKFORCE_SECRET_FILE")
        return cls(
            home=home,
            secret_env=env.get("WORKFORCE_SECRET") or None,
            secret_file=Path(secret_file).expanduser().resolve() if secret_file else None,
            ssb_mode=mode,
            ssb_base_url=env.get("WORKFORCE_SSB_BASE_URL") or DEFAULT_SSB_BASE_URL,
            klass_base_url=env.get("WORKFORCE_KLASS_BASE_URL") or DEFAULT_KLASS_BASE_URL,
        )

    # --- paths -------------------------------------------------------------------------
    @property
    def build_db_path(self) -> Path:
        """The database only the pipeline writes (same basename as the published one: dbt
        names the catalog after the file, and views keep catalog-qualified references)."""
        return self.home / "build" / "workforce.duckdb"

    @property
    def published_db_path(self) -> Path:
        return self.home / "workforce.duckdb"

    @property
    def inbox_dir(self) -> Path:
        return self.home / "inbox"

    @property
    def landing_dir(self) -> Path:
        return self.home / "landing"

    @property
    def ssb_cache_dir(self) -> Path:
        return self.home / "cache" / "ssb"

    @property
    def quality_dir(self) -> Path:
        return self.home / "quality"

    @property
    def releases_dir(self) -> Path:
        return self.home / "releases"

    @property
    def docs_dir(self) -> Path:
        return self.home / "docs"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def demo_secret_path(self) -> Path:
        return self.home / DEMO_SECRET_NAME

    # --- the pseudonymisation secret ---------------------------------------------------
    def secret(self) -> bytes:
        """The HMAC key for pseudonyms. A run without one is refused: pseudonyms made with
        a guessable key could be reversed by anyone holding a list of national ids.

        With neither variable set, the demo's secret (`<home>/demo.secret`, written by
        `make demo`) is used when it exists, so `workforce ui`, `run` and `ingest` work on
        the demo's home without an extra step; that is said once per process on stderr, so
        nobody takes a demo key into production unknowingly."""
        if self.secret_env:
            value = self.secret_env.encode()
        elif self.secret_file:
            if not self.secret_file.is_file():
                raise SettingsError(
                    f"WORKFORCE_SECRET_FILE peker på {self.secret_file}, som ikke finnes."
                )
            value = self.secret_file.read_bytes().strip()
        elif self.demo_secret_path.is_file():
            value = self.demo_secret_path.read_bytes().strip()
            announce_demo_secret(self.demo_secret_path)
        else:
            raise SettingsError(
                "Ingen pseudonymiseringsnøkkel: sett WORKFORCE_SECRET eller WORKFORCE_SECRET_FILE "
                f"(en fil utenfor repoet). `make demo` lager en demonøkkel i {self.demo_secret_path}, "
                "som da brukes automatisk."
            )
        if len(value) < 16:
            raise SettingsError("Pseudonymiseringsnøkkelen må være minst 16 tegn lang.")
        source = None if self.secret_env else (self.secret_file or self.demo_secret_path)
        for warning in secret_warnings(value, source):
            if warning not in _warned:  # once per process, not once per call
                _warned.add(warning)
                log.warning(warning)
        return value

    def with_demo_secret(self) -> Settings:
        """Settings that use (and if needed create) the local demo secret under WORKFORCE_HOME."""
        if self.secret_env or self.secret_file:
            return self
        path = self.demo_secret_path
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32) + "\n")
            path.chmod(0o600)
        return Settings(
            home=self.home,
            secret_file=path,
            ssb_mode=self.ssb_mode,
            ssb_base_url=self.ssb_base_url,
            klass_base_url=self.klass_base_url,
        )

    def ensure_dirs(self) -> None:
        for path in (self.build_db_path.parent, self.inbox_dir, self.landing_dir, self.ssb_cache_dir):
            path.mkdir(parents=True, exist_ok=True)

    def prepare_dagster_home(self) -> Path:
        """Point DAGSTER_HOME at WORKFORCE_HOME/dagster with the repo's instance config."""
        home = self.dagster_home
        home.mkdir(parents=True, exist_ok=True)
        target = home / "dagster.yaml"
        if not target.exists() or target.read_bytes() != DAGSTER_YAML.read_bytes():
            shutil.copyfile(DAGSTER_YAML, target)
        os.environ["DAGSTER_HOME"] = str(home)
        return home


def announce_demo_secret(path: Path) -> None:
    """Say once per process (on stderr, never stdout, which may be a CSV) that the demo's key is in use."""
    if path in _demo_secret_announced:
        return
    _demo_secret_announced.add(path)
    print(
        f"Merk: bruker demoens pseudonymiseringsnøkkel {path} (verken WORKFORCE_SECRET eller "
        "WORKFORCE_SECRET_FILE er satt). Bare for demo og utprøving; sett en egen nøkkel i drift.",
        file=sys.stderr,
    )


def get_settings() -> Settings:
    return Settings.from_env()
