"""Result tables: one builder gives both the CSV file (``csv`` module, no pandas needed) and the pandas
DataFrame (``pip install 'mfdem[tables]'``), so the two cannot disagree.

Conventions of every table mfdem writes:

* one header row; a column name ends in its SI unit: ``time_s``, ``rotor_power_W``, ``m_total_kg``,
  ``SI_CG_J_per_kg``, ``SF_CG_1_per_s`` (``_per_`` for a division, ``_1_per_s`` for 1/s, ``_deg`` for
  degrees, ``_rpm`` for rev/min; the compaction curve keeps its established ``force_n``, N). A name
  without a unit suffix is a dimensionless number, a count, a 1/0 flag or text;
* floats are written with the shortest decimal that reads back to the same number; a missing value (None,
  NaN, inf) is an empty cell in the CSV and NaN in the DataFrame;
* optional ``#`` comment lines (what produced the file) come before the header: read such a file with
  ``pandas.read_csv(path, comment="#")``.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FLOAT, INT, TEXT = "float", "int", "text"
_INSTALL = "pip install 'mfdem[tables]'"


@dataclass(frozen=True)
class Table:
    """``columns`` maps each column name to its kind (FLOAT, INT or TEXT); ``rows`` hold one value per column."""

    columns: dict[str, str]
    rows: list[tuple]

    def __post_init__(self):
        bad = [len(row) for row in self.rows if len(row) != len(self.columns)]
        if bad:
            raise ValueError(f"table rows must have {len(self.columns)} values, got {bad[0]}")

    def _cells(self):
        """Rows with every value normalised to int, float, str or None (missing)."""
        kinds = list(self.columns.values())
        for row in self.rows:
            yield tuple(_cell(v, k) for v, k in zip(row, kinds))

    def to_csv(self, comments=()) -> str:
        """The table as CSV text: ``# comment`` lines, the header, the rows."""
        out = io.StringIO()
        for line in comments:
            out.write(f"# {line}\n")
        w = csv.writer(out, lineterminator="\n")
        w.writerow(self.columns)
        for row in self._cells():
            w.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in row])
        return out.getvalue()

    def write_csv(self, path, comments=()) -> Path:
        """Write :meth:`to_csv` to ``path`` atomically (its folder is created if needed)."""
        from mfdem.io.atomic import atomic_write_text  # noqa: PLC0415 - the project's atomic writer

        return atomic_write_text(path, self.to_csv(comments))

    def to_dataframe(self):
        """The table as a pandas DataFrame, typed as ``pandas.read_csv`` reads the CSV: float columns
        float64 (NaN where missing), int columns int64, text columns strings (a column without any value
        float64 NaN). Needs pandas (``pip install 'mfdem[tables]'``)."""
        pd = require_pandas()
        cells = list(self._cells())
        data = {}
        for j, (name, kind) in enumerate(self.columns.items()):
            values = [row[j] for row in cells]
            if kind == INT:
                data[name] = np.array(values, dtype=np.int64)
            elif kind == FLOAT or all(v is None for v in values):   # an empty column reads as float NaN
                data[name] = np.array([np.nan if v is None else v for v in values], dtype=float)
            else:
                data[name] = np.array([np.nan if v is None else v for v in values], dtype=object)
        return pd.DataFrame(data, columns=list(self.columns))


def _cell(value, kind: str):
    if value is None:
        return None
    if kind == FLOAT:
        value = float(value)
        return value if math.isfinite(value) else None
    if kind == INT:
        return int(value)
    return str(value)


def require_pandas():
    """The pandas module, or an ImportError that says how to install it."""
    try:
        import pandas  # noqa: PLC0415 - optional dependency
    except ImportError as exc:
        raise ImportError(f"to_dataframe() needs pandas, which is not installed: {_INSTALL}") from exc
    return pandas
